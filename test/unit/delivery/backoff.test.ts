// The wait before a retry, against knative/eventing's own cases: transcribed from
// pkg/kncloudevents/retries_test.go (TestNoRetries, TestRetryConfigFromDeliverySpec,
// TestRetryConfigFromDeliverySpecCheckRetry, TestGenerateBackoffFnWithRetryAfter). Those call
// RetryConfig.Backoff(attemptNum) directly; the dispatcher's go-retryablehttp (vendor/.../client.go,
// `c.Backoff(..., i, resp)` with i counting from 0) passes retryNumber − 1, which the last block checks.
import { describe, expect, it } from 'vitest';
import { knativeBackoffMs, retryDelayMs, type DeliverySpecRetry } from '../../../src/delivery/delivery-policy.js';
import { parseRetryAfter } from '../../../src/delivery/retry-after.js';
import { LivepipeError } from '../../../src/errors.js';

/** retryDelayMs(spec, n) is Knative's Backoff(n − 1): this asks for Backoff(attemptNum). */
function backoffAt(spec: DeliverySpecRetry, attemptNum: number): number | undefined {
  return retryDelayMs(spec, attemptNum + 1);
}

describe('TestRetryConfigFromDeliverySpec: Backoff(attemptNum) for attemptNum 1…5, retry 5', () => {
  it.each([
    { policy: 'linear', delay: 'PT2.5S', delayMs: 2500, want: [2500, 5000, 7500, 10_000, 12_500] },
    { policy: 'exponential', delay: 'PT1.5S', delayMs: 1500, want: [3000, 6000, 12_000, 24_000, 48_000] },
    { policy: 'exponential', delay: 'PT0.5S', delayMs: 500, want: [1000, 2000, 4000, 8000, 16_000] },
  ] as const)('$policy $delay', ({ policy, delay, delayMs, want }) => {
    // retry: 5 allows attemptNum 0…4 (Knative checks 1…4); the policy itself goes on to attemptNum 5.
    const spec: DeliverySpecRetry = { retry: 5, backoffPolicy: policy, backoffDelay: delay };
    expect([1, 2, 3, 4].map((n) => backoffAt(spec, n))).toEqual(want.slice(0, 4));
    expect(knativeBackoffMs(policy, delayMs, 5)).toBe(want[4]);
  });

  it.each([
    { name: 'Invalid Backoff Delay', spec: { backoffPolicy: 'linear', backoffDelay: 'FOO' } },
    {
      name: 'Invalid RetryAfterMax',
      spec: { backoffPolicy: 'exponential', backoffDelay: 'PT0.5S', retryAfterMax: 'FOO' },
    },
    // TestRetryConfigFromDeliverySpecCheckRetry
    { name: 'delay not ISO8601', spec: { backoffPolicy: 'linear', backoffDelay: 'PP1' } },
  ] as const)('$name: refused', ({ spec }) => {
    expect(() => retryDelayMs({ retry: 5, ...spec }, 1)).toThrow(LivepipeError);
  });

  it('Valid RetryAfterMax PT30S leaves the backoff as it is', () => {
    const spec: DeliverySpecRetry = {
      retry: 5,
      backoffPolicy: 'exponential',
      backoffDelay: 'PT0.5S',
      retryAfterMax: 'PT30S',
    };
    expect([1, 2, 3, 4].map((n) => backoffAt(spec, n))).toEqual([1000, 2000, 4000, 8000]);
  });
});

describe('TestNoRetries and "only retry": without backoffPolicy and backoffDelay a retry does not wait', () => {
  it.each([
    { name: 'no policy, no delay', spec: { retry: 100 } },
    { name: 'only retry (linear policy, no delay)', spec: { retry: 10, backoffPolicy: 'linear' } },
    { name: 'a delay without a policy', spec: { retry: 10, backoffDelay: 'PT1S' } },
  ] as const)('$name', ({ spec }) => {
    expect(retryDelayMs(spec, 2)).toBe(0);
    expect(retryDelayMs(spec, spec.retry)).toBe(0);
  });

  it('allows no retry when retry is unset or 0, nor past retry', () => {
    expect(retryDelayMs({ backoffPolicy: 'linear', backoffDelay: 'PT1S' }, 1)).toBeUndefined();
    expect(retryDelayMs({ retry: 0, backoffPolicy: 'linear', backoffDelay: 'PT1S' }, 1)).toBeUndefined();
    expect(retryDelayMs({ retry: 3, backoffPolicy: 'linear', backoffDelay: 'PT1S' }, 4)).toBeUndefined();
  });
});

describe('TestGenerateBackoffFnWithRetryAfter', () => {
  // Knative stubs Backoff to a constant 2 s; linear PT2S at attemptNum 1 (the second retry) is 2 s too.
  const spec: DeliverySpecRetry = { retry: 5, backoffPolicy: 'linear', backoffDelay: 'PT2S' };
  const retryBackoff = 2000;
  const retryAfter = 30_000;
  const small = 'PT10S';
  const large = 'PT1M30S';
  const now = Date.UTC(2024, 4, 1, 10, 0, 0);
  const header = {
    none: undefined,
    seconds: '30',
    date: new Date(now + retryAfter).toUTCString(),
    invalid: 'FOO',
  } as const;

  it.each([
    { name: 'nil max 429 without Retry-After', max: undefined, status: 429, format: 'none', want: retryBackoff },
    {
      name: 'nil max 429 with Retry-After seconds',
      max: undefined,
      status: 429,
      format: 'seconds',
      want: retryBackoff,
    },
    { name: 'nil max 429 with Retry-After date', max: undefined, status: 429, format: 'date', want: retryBackoff },
    {
      name: 'nil max 429 with invalid Retry-After',
      max: undefined,
      status: 429,
      format: 'invalid',
      want: retryBackoff,
    },
    {
      name: 'nil max 503 with Retry-After seconds',
      max: undefined,
      status: 503,
      format: 'seconds',
      want: retryBackoff,
    },
    { name: 'nil max 500 without Retry-After', max: undefined, status: 500, format: 'none', want: retryBackoff },
    // Knative's "large max 429 without Retry-After" leaves the max nil too.
    { name: 'large max 429 without Retry-After', max: undefined, status: 429, format: 'none', want: retryBackoff },
    { name: 'large max 429 with Retry-After seconds', max: large, status: 429, format: 'seconds', want: retryAfter },
    { name: 'large max 429 with Retry-After date', max: large, status: 429, format: 'date', want: retryAfter },
    { name: 'large max 429 with invalid Retry-After', max: large, status: 429, format: 'invalid', want: retryBackoff },
    { name: 'large max 503 with Retry-After seconds', max: large, status: 503, format: 'seconds', want: retryAfter },
    { name: 'large max 500 without Retry-After', max: large, status: 500, format: 'none', want: retryBackoff },
    { name: 'small max 429 without Retry-After', max: undefined, status: 429, format: 'none', want: retryBackoff },
    { name: 'small max 429 with Retry-After seconds', max: small, status: 429, format: 'seconds', want: 10_000 },
    { name: 'small max 429 with Retry-After date', max: small, status: 429, format: 'date', want: 10_000 },
    { name: 'small max 429 with invalid Retry-After', max: small, status: 429, format: 'invalid', want: retryBackoff },
    { name: 'small max 503 with Retry-After seconds', max: small, status: 503, format: 'seconds', want: 10_000 },
    { name: 'small max 500 without Retry-After', max: small, status: 500, format: 'none', want: retryBackoff },
    // Not in retries_test.go: the header is read on 429 and 503 only, and "PT0S" opts out.
    { name: 'large max 500 with Retry-After seconds', max: large, status: 500, format: 'seconds', want: retryBackoff },
    { name: 'zero max 429 with Retry-After seconds', max: 'PT0S', status: 429, format: 'seconds', want: retryBackoff },
  ] as const)('$name → $want ms', ({ max, status, format, want }) => {
    const retryAfterMs = parseRetryAfter(header[format], now);
    expect(retryDelayMs({ ...spec, retryAfterMax: max }, 2, { status, retryAfterMs })).toBe(want);
  });
});

describe('what the dispatcher waits: retry n gets Backoff(n − 1)', () => {
  it('exponential PT0.2S: the first retry waits backoffDelay, then twice as long each time', () => {
    const spec: DeliverySpecRetry = { retry: 5, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S' };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(spec, n))).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('linear PT2.5S: the first retry does not wait at all', () => {
    const spec: DeliverySpecRetry = { retry: 5, backoffPolicy: 'linear', backoffDelay: 'PT2.5S' };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(spec, n))).toEqual([0, 2500, 5000, 7500, 10_000]);
  });
});
