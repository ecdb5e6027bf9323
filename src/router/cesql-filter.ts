// `cesql`: a CloudEvents SQL expression (Knative's cesql_filter.go), parsed and compiled once. An
// evaluation error or a non-boolean result fails the event and is reported; "" is Knative's "no dialect",
// so the entry is skipped. Unlike Knative, a call to an unknown function or a statically non-boolean
// expression is rejected at load (Knative admits both; the first fails every event, the second panics).

import { CesqlError } from './cesql/casting.js';
import { compileCesqlProgram, type CesqlProgram } from './cesql/evaluator.js';
import { describeFunction, functionNames, resolveFunction } from './cesql/functions.js';
import { parseCesql, type CesqlNode } from './cesql/parser.js';
import { FAIL, PASS, invalidFilter, type CompiledFilter, type FilterHooks } from './filter.js';

export function compileCesqlFilter(
  expression: unknown,
  path: string,
  hooks: FilterHooks | undefined,
): CompiledFilter | undefined {
  if (expression === '' || expression === undefined || expression === null) return undefined;
  if (typeof expression !== 'string') {
    throw invalidFilter(
      path,
      `"cesql" takes an expression string, like cesql: "type = 'live.gift' AND int(amount) >= 100"`,
    );
  }
  const program = compileOrThrow(expression, path);
  const run = program.run;
  const onError = hooks?.onError;
  return {
    evaluate: (event) => {
      let result: unknown;
      try {
        result = run(event);
      } catch (error) {
        onError?.(error, expression);
        return FAIL;
      }
      if (result === true) return PASS;
      if (result !== false) {
        onError?.(
          new CesqlError('generic', `CESQL filter returned ${JSON.stringify(result)}, not a boolean`, false),
          expression,
        );
      }
      return FAIL;
    },
    constant: undefined,
    types: undefined,
  };
}

function compileOrThrow(expression: string, path: string): CesqlProgram {
  const quoted = JSON.stringify(expression);
  let root: CesqlNode;
  try {
    root = parseCesql(expression);
  } catch (error) {
    if (error instanceof CesqlError)
      throw invalidFilter(path, `CESQL expression ${quoted} does not parse: ${error.message}`);
    throw error;
  }
  const missing = findMissingFunction(root);
  if (missing) {
    const known = describeFunction(missing.name);
    const arity = missing.args.length;
    const problem = known
      ? `${missing.name} takes ${known}, not ${arity}`
      : `there is no function ${missing.name} (built-ins: ${functionNames().join(', ')})`;
    throw invalidFilter(path, `CESQL expression ${quoted} at position ${missing.position + 1}: ${problem}`);
  }
  const program = compileCesqlProgram(root);
  if (program.resultType !== 'boolean' && program.resultType !== 'any') {
    throw invalidFilter(
      path,
      `CESQL expression ${quoted} returns ${program.resultType === 'integer' ? 'an integer' : 'a string'}, but a filter must return a boolean (compare it, e.g. "... > 0" or "... = 'x'")`,
    );
  }
  return program;
}

type CallNode = Extract<CesqlNode, { kind: 'call' }>;

function findMissingFunction(node: CesqlNode): CallNode | undefined {
  switch (node.kind) {
    case 'call':
      if (!resolveFunction(node.name, node.args.length)) return node;
      return firstOf(node.args);
    case 'not':
    case 'negate':
    case 'like':
      return findMissingFunction(node.operand);
    case 'in':
      return findMissingFunction(node.operand) ?? firstOf(node.set);
    case 'arithmetic':
    case 'comparison':
    case 'logic':
      return findMissingFunction(node.left) ?? findMissingFunction(node.right);
    default:
      return undefined;
  }
}

function firstOf(nodes: readonly CesqlNode[]): CallNode | undefined {
  for (const node of nodes) {
    const found = findMissingFunction(node);
    if (found) return found;
  }
  return undefined;
}
