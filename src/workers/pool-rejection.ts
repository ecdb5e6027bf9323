// Why an inference request was not answered. Every rejection is counted by the pool; none is silent.

export type PoolRejectionReason = 'queue-full' | 'worker-failed' | 'closed';

export class PoolRejection extends Error {
  readonly reason: PoolRejectionReason;

  constructor(reason: PoolRejectionReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoolRejection';
    this.reason = reason;
  }
}

export function isPoolRejection(error: unknown): error is PoolRejection {
  return error instanceof PoolRejection;
}
