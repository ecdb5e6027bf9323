// `not`, as Knative's not_filter.go: swaps PASS and FAIL, keeps NO_FILTER; `not` of a skipped entry
// (undefined) is NO_FILTER. A CEL/CESQL child that errors fails, so `not` of it passes (the error still counts).

import {
  FAIL,
  NO_FILTER,
  NO_FILTER_FILTER,
  PASS,
  constantFilter,
  type CompiledFilter,
  type FilterResult,
} from './filter.js';

const INVERTED: readonly FilterResult[] = [FAIL, PASS, NO_FILTER];

export function notFilter(child: CompiledFilter | undefined): CompiledFilter {
  if (!child) return NO_FILTER_FILTER;
  if (child.constant !== undefined) return constantFilter(INVERTED[child.constant]!);
  const inner = child.evaluate;
  return { evaluate: (event) => INVERTED[inner(event)]!, constant: undefined, types: undefined };
}
