// `cel`: a CEL expression over the event (variable `event`: attributes, extensions, `event.data`),
// parsed, checked and planned once. A run-time error or a non-bool result fails the event and is reported.
//
// Library: @bufbuild/cel, because it is the most conformant: on the CEL conformance sections routing uses
// it passes 924 of 937 cases, against 808 for @marcbachmann/cel-js and 308 for cel-js (no startsWith)
// (test/conformance/cel-scores.json). @marcbachmann/cel-js is ~10x faster (3-6M vs ~0.3M evaluations/s,
// bench/micro/router-filters.ts), but ~3 µs per CEL filter is far inside the 2 ms route budget and the Router
// only runs the triggers for an event's type. Its type checker is not public API, hence cel-check.ts.

import { CelScalar, celEnv, isCelError, mapType, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { EVENT_VARIABLE, checkCelExpression } from './cel-check.js';
import { FAIL, PASS, invalidFilter, type CompiledFilter, type FilterHooks } from './filter.js';
import { messageOf } from '../errors.js';

export const CEL_LIBRARY = '@bufbuild/cel';

/** `event` is a string-keyed map of dyn: field types are only known per event and checked then. */
const environment = celEnv({
  variables: { [EVENT_VARIABLE]: mapType(CelScalar.STRING, CelScalar.DYN) },
  funcs: strings,
});

const knownFunction = (name: string): boolean => environment.funcs.find(name) !== undefined;

export function compileCelFilter(expression: unknown, path: string, hooks: FilterHooks | undefined): CompiledFilter {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw invalidFilter(path, '"cel" takes a non-empty expression string, like cel: event.data.gift.value >= 100');
  }
  const quoted = JSON.stringify(expression);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (error) {
    throw invalidFilter(path, `CEL expression ${quoted} does not parse: ${firstLine(error)}`);
  }
  const checked = checkCelExpression(parsed.expr, knownFunction);
  if (checked.problem !== undefined) {
    throw invalidFilter(path, `CEL expression ${quoted} is invalid: ${checked.problem}`);
  }
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    throw invalidFilter(
      path,
      `CEL expression ${quoted} returns ${checked.type}, but a filter must return bool (compare it, e.g. "... > 0")`,
    );
  }
  const program = planOrThrow(parsed, () => `CEL expression ${quoted} cannot be planned`, path);

  const onError = hooks?.onError;
  // One bindings object per filter, refilled per event: evaluation is synchronous and not re-entrant.
  const bindings: { event: Record<string, unknown> } = { event: {} };
  return {
    evaluate: (event) => {
      bindings.event = event;
      let result: unknown;
      try {
        result = program(bindings as Parameters<typeof program>[0]);
      } catch (error) {
        // The library reports errors as values; a throw is a bug in it, still not a pass.
        result = error instanceof Error ? error : new Error(String(error));
      }
      if (result === true) return PASS;
      if (result === false) return FAIL;
      onError?.(
        isCelError(result) || result instanceof Error
          ? result
          : new TypeError(`CEL filter returned ${describe(result)}, not a bool`),
        expression,
      );
      return FAIL;
    },
    constant: undefined,
    types: undefined,
  };
}

function planOrThrow(parsed: ReturnType<typeof parse>, what: () => string, path: string) {
  try {
    return plan(environment, parsed);
  } catch (error) {
    throw invalidFilter(path, `${what()}: ${firstLine(error)}`);
  }
}

function firstLine(error: unknown): string {
  const message = messageOf(error);
  return message.split('\n', 1)[0] ?? message;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return 'an int';
  if (typeof value === 'number') return 'a double';
  return typeof value === 'object' ? 'a list, map or message' : `a ${typeof value}`;
}
