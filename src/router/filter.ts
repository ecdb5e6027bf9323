// The compiled form every filter kind produces, and the one error every kind throws for a bad spec.
// Filters compile once to closures; the hot path only calls `test`.

import { LivepipeError } from '../errors.js';
import type { EventRecord } from './attribute-reader.js';

export type EventFilter = (event: EventRecord) => boolean;

export interface CompiledFilter {
  /**
   * undefined is Knative's "no filter" (an empty `all`/`any`, or `not` of one): neutral inside
   * `all` and `any`, and it passes every event when it is all there is.
   */
  readonly test: EventFilter | undefined;
  /** The only event types this filter can pass, when it pins them (what the Router indexes on). */
  readonly types: ReadonlySet<string> | undefined;
}

export interface FilterHooks {
  /** Called once per event whose CEL expression errors at run time; that event does not pass. */
  onError?: (error: unknown, expression: string) => void;
}

export const NO_FILTER: CompiledFilter = { test: undefined, types: undefined };

export function invalidFilter(path: string, problem: string): LivepipeError {
  return new LivepipeError('LP_FILTER_INVALID', `${path}: ${problem}`);
}
