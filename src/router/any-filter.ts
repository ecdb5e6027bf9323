// `any`, as Knative's any_filter.go: PASS as soon as a child passes, otherwise the LAST child's result
// (so FAIL then NO_FILTER is NO_FILTER, which delivers); no children is NO_FILTER. Pinned types are
// the union, known only when every child pins its types.

import { NO_FILTER_FILTER, PASS, type CompiledFilter, type EventFilter } from './filter.js';

export function anyFilter(children: readonly CompiledFilter[]): CompiledFilter {
  const [only] = children;
  if (children.length === 0) return NO_FILTER_FILTER;
  if (children.length === 1 && only) return only;
  const pinsTypes = children.every((c) => c.types !== undefined);
  const types = pinsTypes ? new Set(children.flatMap((c) => [...c.types!])) : undefined;
  const constants = children.map((c) => c.constant);
  const firstPass = constants.indexOf(PASS);
  const constant =
    firstPass >= 0 && constants.slice(0, firstPass).every((c) => c !== undefined)
      ? PASS
      : constants.every((c) => c !== undefined)
        ? constants[constants.length - 1]
        : undefined;
  return { evaluate: disjunction(children.map((c) => c.evaluate)), constant, types };
}

function disjunction(tests: EventFilter[]): EventFilter {
  const [first, second] = tests;
  if (tests.length === 2 && first && second) {
    return (event) => (first(event) === PASS ? PASS : second(event));
  }
  const last = tests.length - 1;
  return (event) => {
    for (let i = 0; i < last; i++) if (tests[i]!(event) === PASS) return PASS;
    return tests[last]!(event);
  };
}
