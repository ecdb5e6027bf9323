// Why an inference request was not answered. Every rejection is counted by the pool; none is silent.
// 'deadline': shed because it was predicted to miss its deadline; 'conflated': superseded by a newer
// item with the same conflation key while both were queued and the older one could not make it.
import { LivepipeError } from '../../errors.js';

export type PoolRejectionReason = 'queue-full' | 'worker-failed' | 'closed' | 'deadline' | 'conflated';

export const POOL_REJECTION_REASONS: readonly PoolRejectionReason[] = [
  'queue-full',
  'worker-failed',
  'closed',
  'deadline',
  'conflated',
];

/** A LivepipeError with code LP_POOL_REJECTED; `reason` says which of the pool's rules turned the request away. */
export class PoolRejection extends LivepipeError {
  readonly reason: PoolRejectionReason;

  constructor(reason: PoolRejectionReason, message: string, options?: { cause?: unknown }) {
    super('LP_POOL_REJECTED', message, options);
    this.name = 'PoolRejection';
    this.reason = reason;
  }
}

export function isPoolRejection(error: unknown): error is PoolRejection {
  return error instanceof PoolRejection;
}
