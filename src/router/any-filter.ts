// `any`: passes when one child passes. "No filter" children are neutral, so an empty `any` is
// "no filter". Pinned types are the union, known only when every child pins its types.

import { NO_FILTER, type CompiledFilter, type EventFilter } from './filter.js';

export function anyFilter(children: readonly CompiledFilter[]): CompiledFilter {
  const active = children.filter((c) => c.test !== undefined);
  if (active.length === 0) return NO_FILTER;
  const tests = active.map((c) => c.test as EventFilter);
  const pinsTypes = active.every((c) => c.types !== undefined);
  const types = pinsTypes ? new Set(active.flatMap((c) => [...c.types!])) : undefined;
  return { test: disjunction(tests), types };
}

function disjunction(tests: EventFilter[]): EventFilter {
  const [first, second] = tests;
  if (tests.length === 1 && first) return first;
  if (tests.length === 2 && first && second) return (event) => first(event) || second(event);
  return (event) => {
    for (const test of tests) if (test(event)) return true;
    return false;
  };
}
