// `all` (and a trigger's `filters` list): passes when every child passes. "No filter" children are
// neutral, so an empty `all` is itself "no filter". The pinned types are the intersection.

import { NO_FILTER, type CompiledFilter, type EventFilter } from './filter.js';

export function allFilter(children: readonly CompiledFilter[]): CompiledFilter {
  const tests = children.map((c) => c.test).filter((t): t is EventFilter => t !== undefined);
  let types: Set<string> | undefined;
  for (const child of children) {
    if (!child.types) continue;
    types = types ? new Set([...types].filter((t) => child.types!.has(t))) : new Set(child.types);
  }
  if (tests.length === 0) return NO_FILTER;
  return { test: conjunction(tests), types };
}

function conjunction(tests: EventFilter[]): EventFilter {
  const [first, second] = tests;
  if (tests.length === 1 && first) return first;
  if (tests.length === 2 && first && second) return (event) => first(event) && second(event);
  return (event) => {
    for (const test of tests) if (!test(event)) return false;
    return true;
  };
}
