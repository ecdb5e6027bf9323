// `all` (and a trigger's `filters` list), as Knative's all_filter.go: FAIL as soon as a child fails,
// otherwise the LAST child's result (so PASS then NO_FILTER is NO_FILTER); no children is NO_FILTER.

import { FAIL, NO_FILTER_FILTER, type CompiledFilter, type EventFilter } from './filter.js';

export function allFilter(children: readonly CompiledFilter[]): CompiledFilter {
  const [only] = children;
  if (children.length === 0) return NO_FILTER_FILTER;
  if (children.length === 1 && only) return only;
  let types: Set<string> | undefined;
  for (const child of children) {
    if (!child.types) continue;
    types = types ? new Set([...types].filter((t) => child.types!.has(t))) : new Set(child.types);
  }
  const constants = children.map((c) => c.constant);
  const constant =
    constants.includes(FAIL) && constants.slice(0, constants.indexOf(FAIL)).every((c) => c !== undefined)
      ? FAIL
      : constants.every((c) => c !== undefined)
        ? constants[constants.length - 1]
        : undefined;
  return { evaluate: conjunction(children.map((c) => c.evaluate)), constant, types };
}

function conjunction(tests: EventFilter[]): EventFilter {
  const [first, second] = tests;
  if (tests.length === 2 && first && second) {
    return (event) => (first(event) === FAIL ? FAIL : second(event));
  }
  const last = tests.length - 1;
  return (event) => {
    for (let i = 0; i < last; i++) if (tests[i]!(event) === FAIL) return FAIL;
    return tests[last]!(event);
  };
}
