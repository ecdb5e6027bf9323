// The compiled form every filter kind produces, and the one error every kind throws for a bad spec.
// Filters compile once to closures that return Knative's tri-state result; the hot path only calls `evaluate`.

import { LivepipeError } from '../errors.js';
import type { EventRecord } from './attribute-reader.js';

/** Knative's eventfilter.FilterResult: only FAIL stops delivery; NO_FILTER is "this filter has no opinion". */
export const PASS = 0;
export const FAIL = 1;
export const NO_FILTER = 2;
export type FilterResult = typeof PASS | typeof FAIL | typeof NO_FILTER;

export type EventFilter = (event: EventRecord) => FilterResult;

export interface CompiledFilter {
  readonly evaluate: EventFilter;
  /** The result when it does not depend on the event (e.g. NO_FILTER for an empty `all`). */
  readonly constant: FilterResult | undefined;
  /** The event types outside which the result is always FAIL, when the filter pins them (the Router's index). */
  readonly types: ReadonlySet<string> | undefined;
}

export interface FilterHooks {
  /** Called once per event whose CEL or CESQL expression errors at run time; that filter fails the event. */
  onError?: (error: unknown, expression: string) => void;
}

export function constantFilter(result: FilterResult): CompiledFilter {
  return { evaluate: () => result, constant: result, types: undefined };
}

export const NO_FILTER_FILTER: CompiledFilter = constantFilter(NO_FILTER);

export function invalidFilter(path: string, problem: string): LivepipeError {
  return new LivepipeError('LP_FILTER_INVALID', `${path}: ${problem}`);
}
