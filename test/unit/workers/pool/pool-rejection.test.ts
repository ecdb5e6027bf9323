import { describe, expect, it } from 'vitest';
import { isLivepipeError, LivepipeError } from '../../../../src/errors.js';
import { isPoolRejection, PoolRejection } from '../../../../src/workers/pool/pool-rejection.js';

describe('PoolRejection', () => {
  it('is a LivepipeError with a stable code that keeps the reason callers branch on', () => {
    const rejection = new PoolRejection('queue-full', 'inference queue is full; request e1 shed');
    expect(rejection).toBeInstanceOf(LivepipeError);
    expect(isLivepipeError(rejection)).toBe(true);
    expect(isPoolRejection(rejection)).toBe(true);
    expect(rejection).toMatchObject({ code: 'LP_POOL_REJECTED', reason: 'queue-full', name: 'PoolRejection' });
  });

  it('is not mistaken for another LivepipeError', () => {
    expect(isPoolRejection(new LivepipeError('LP_WORKER_FAILED', 'worker exited'))).toBe(false);
  });
});
