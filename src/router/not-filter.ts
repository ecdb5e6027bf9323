// `not`: passes when its child fails; `not` of "no filter" stays "no filter", as in Knative.
// A CEL child that errors fails, so `not` of it passes: the error is still counted by the hook.

import { NO_FILTER, type CompiledFilter } from './filter.js';

export function notFilter(child: CompiledFilter): CompiledFilter {
  const inner = child.test;
  if (!inner) return NO_FILTER;
  return { test: (event) => !inner(event), types: undefined };
}
