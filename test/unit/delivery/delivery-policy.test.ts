import { describe, expect, it } from 'vitest';
import {
  DeliveryPolicy,
  honoursRetryAfter,
  isRetryableStatus,
  MAX_BACKOFF_MS,
  retryDelayMs,
} from '../../../src/delivery/delivery-policy.js';
import { LivepipeError } from '../../../src/errors.js';

const base = {
  retry: 5,
  backoffPolicy: 'exponential' as const,
  backoffDelayMs: 200,
  timeoutMs: 1000,
  retryAfterMaxMs: 30_000,
};

describe('backoff schedule', () => {
  it('doubles per retry under the exponential policy from backoffDelay: PT0.2S gives 200, 400, 800, 1600, 3200 ms', () => {
    expect(new DeliveryPolicy(base).backoffSchedule()).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('grows by one delay per retry under the linear policy, the first retry at once: PT2.5S gives 0, 2.5, 5, 7.5, 10 s', () => {
    const policy = new DeliveryPolicy({ ...base, backoffPolicy: 'linear', backoffDelayMs: 2500 });
    expect(policy.backoffSchedule()).toEqual([0, 2500, 5000, 7500, 10_000]);
  });

  it('waits what Knative waits for a DeliverySpec with the same fields', () => {
    for (const backoffPolicy of ['exponential', 'linear'] as const) {
      const policy = new DeliveryPolicy({ ...base, backoffPolicy, backoffDelayMs: 1500 });
      const spec = { retry: 5, backoffPolicy, backoffDelay: 'PT1.5S' };
      expect(policy.backoffSchedule()).toEqual([1, 2, 3, 4, 5].map((n) => retryDelayMs(spec, n)));
    }
  });

  it('has no waits when retry is 0', () => {
    expect(new DeliveryPolicy({ ...base, retry: 0 }).backoffSchedule()).toEqual([]);
  });

  it('caps one wait at MAX_BACKOFF_MS instead of overflowing the timer', () => {
    expect(new DeliveryPolicy({ ...base, retry: 40 }).backoffSchedule().at(-1)).toBe(MAX_BACKOFF_MS);
    expect(new DeliveryPolicy({ ...base, retry: 2 }).delayBeforeRetry(40)).toBe(MAX_BACKOFF_MS);
  });
});

describe('Retry-After in the wait', () => {
  const policy = new DeliveryPolicy(base);

  it('waits for Retry-After when it is longer than the backoff', () => {
    expect(policy.delayBeforeRetry(1, 5000)).toBe(5000);
  });

  it('keeps the backoff when Retry-After is shorter', () => {
    expect(policy.delayBeforeRetry(4, 1000)).toBe(1600);
  });

  it('caps Retry-After at retryAfterMax', () => {
    expect(new DeliveryPolicy({ ...base, retryAfterMaxMs: 2000 }).delayBeforeRetry(1, 60_000)).toBe(2000);
  });

  it('ignores Retry-After when retryAfterMax is 0 (Knative PT0S)', () => {
    expect(new DeliveryPolicy({ ...base, retryAfterMaxMs: 0 }).delayBeforeRetry(1, 60_000)).toBe(200);
  });
});

describe('retryable status codes (Knative SelectiveRetry)', () => {
  const table: Array<[number, boolean]> = [
    [200, false],
    [202, false],
    [301, false],
    [400, false],
    [401, false],
    [403, false],
    [404, true],
    [405, false],
    [408, true],
    [409, true],
    [410, false],
    [413, false],
    [422, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
  ];
  it.each(table)('status %i retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });

  it('reads Retry-After on 429 and 503 only', () => {
    expect([429, 503, 500, 404, 502].map(honoursRetryAfter)).toEqual([true, true, false, false, false]);
  });
});

describe('policy validation', () => {
  it.each([
    ['a negative retry', { retry: -1 }],
    ['a fractional retry', { retry: 1.5 }],
    ['an unknown backoff policy', { backoffPolicy: 'fibonacci' as 'linear' }],
    ['a zero timeout', { timeoutMs: 0 }],
    ['a negative backoff delay', { backoffDelayMs: -5 }],
  ])('rejects %s at construction', (_what, override) => {
    expect(() => new DeliveryPolicy({ ...base, ...override })).toThrow(LivepipeError);
  });

  it('gives a dead letter at least the minimum retries without changing the subscriber policy', () => {
    const policy = new DeliveryPolicy({ ...base, retry: 0 });
    expect(policy.withAtLeast(3).retry).toBe(3);
    expect(policy.retry).toBe(0);
    expect(new DeliveryPolicy(base).withAtLeast(3).retry).toBe(5);
  });
});
