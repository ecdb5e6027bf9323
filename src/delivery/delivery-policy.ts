// When a failed delivery is retried and how long it waits: Knative's DeliverySpec semantics
// (retry count, exponential/linear backoff, per-attempt timeout, Retry-After on 429/503) as pure
// functions over numbers, validated once at construction.
import { parseDuration } from '../config/duration.js';
import { LivepipeError } from '../errors.js';

export type BackoffPolicy = 'exponential' | 'linear';

export interface DeliveryPolicyOptions {
  /** Retries after the first attempt. */
  retry: number;
  backoffPolicy: BackoffPolicy;
  backoffDelayMs: number;
  /** Limit of one attempt. */
  timeoutMs: number;
  /** Cap on a Retry-After wait; 0 ignores Retry-After. */
  retryAfterMaxMs: number;
}

/**
 * One wait never exceeds this: exponential backoff overflows quickly (PT0.2S · 2^30 is ~7 years)
 * and setTimeout cannot wait past 2^31-1 ms. Knative has no cap; an event for a live overlay that
 * is minutes late has no use left.
 */
export const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Knative's SelectiveRetry: 5xx, 404 (a pod that is not ready yet), 408, 409 and 429 are retried;
 * 1xx–3xx and the other 4xx are not. Network errors and timeouts are retried too (see DeliveringSink).
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 404 || status === 408 || status === 409 || status === 429;
}

/** Whether a response's Retry-After header counts (Knative reads it on 429 and 503 only). */
export function honoursRetryAfter(status: number): boolean {
  return status === 429 || status === 503;
}

/**
 * Knative's RetryConfig.Backoff (eventing pkg/kncloudevents/retries.go): exponential
 * delay·2^attemptNum, linear delay·attemptNum. attemptNum counts the retries already made: the
 * dispatcher's go-retryablehttp passes 0 before the first retry. No cap.
 */
export function knativeBackoffMs(policy: BackoffPolicy, delayMs: number, attemptNum: number): number {
  return delayMs * (policy === 'exponential' ? 2 ** attemptNum : attemptNum);
}

/** The fields of a Knative DeliverySpec (duck/v1) that decide how long a retry waits. */
export interface DeliverySpecRetry {
  /** Retries after the first attempt; none when unset. */
  retry?: number;
  /** With backoffDelay: without both, a retry does not wait. */
  backoffPolicy?: BackoffPolicy;
  /** ISO-8601 duration, e.g. "PT0.2S". */
  backoffDelay?: string;
  /** ISO-8601 cap on a 429/503 Retry-After wait. Unset ignores Retry-After (opt-in while the feature is beta), as does "PT0S". */
  retryAfterMax?: string;
}

/** The failed answer a retry follows: its status and its Retry-After header in ms (see parseRetryAfter). */
export interface RetryCause {
  status: number;
  retryAfterMs?: number;
}

/**
 * The wait before the `retryNumber`-th retry (1 for the first) exactly as knative/eventing's
 * dispatcher computes it: Backoff(retryNumber − 1), or the answer's Retry-After (429 and 503 only,
 * capped at retryAfterMax) when that is longer. Undefined when spec.retry allows no such retry.
 * Throws LP_CONFIG_INVALID for a duration that is not ISO-8601, as Knative refuses the spec.
 */
export function retryDelayMs(spec: DeliverySpecRetry, retryNumber: number, cause?: RetryCause): number | undefined {
  const delayMs = specDurationMs(spec.backoffDelay, 'backoffDelay');
  const retryAfterMaxMs = specDurationMs(spec.retryAfterMax, 'retryAfterMax');
  if (!(retryNumber >= 1 && retryNumber <= (spec.retry ?? 0))) return undefined;
  const backoff =
    spec.backoffPolicy === undefined || delayMs === undefined
      ? 0
      : knativeBackoffMs(spec.backoffPolicy, delayMs, retryNumber - 1);
  if (cause === undefined || !honoursRetryAfter(cause.status)) return backoff;
  return longerOfRetryAfter(backoff, cause.retryAfterMs, retryAfterMaxMs);
}

function specDurationMs(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      `delivery.${field} ${JSON.stringify(text)} is not an ISO-8601 duration; write e.g. "PT0.2S"`,
    );
  }
  return ms;
}

/** Knative's backoff, held under MAX_BACKOFF_MS. */
function cappedBackoffMs(policy: BackoffPolicy, delayMs: number, attemptNum: number): number {
  return Math.min(MAX_BACKOFF_MS, knativeBackoffMs(policy, delayMs, attemptNum));
}

/** Retry-After capped at its maximum, when longer than the backoff; a maximum of 0 or none ignores it. */
function longerOfRetryAfter(backoffMs: number, retryAfterMs: number | undefined, maxMs: number | undefined): number {
  if (retryAfterMs === undefined || maxMs === undefined || maxMs === 0) return backoffMs;
  return Math.max(backoffMs, Math.min(retryAfterMs, maxMs));
}

export class DeliveryPolicy {
  readonly retry: number;
  readonly backoffPolicy: BackoffPolicy;
  readonly backoffDelayMs: number;
  readonly timeoutMs: number;
  readonly retryAfterMaxMs: number;
  /** Waits before retry 1, 2, …, precomputed: Knative's Backoff(0), Backoff(1), …, capped. */
  private readonly schedule: readonly number[];

  constructor(options: DeliveryPolicyOptions) {
    const { retry, backoffPolicy, backoffDelayMs: delay, timeoutMs, retryAfterMaxMs } = options;
    if (!Number.isInteger(retry) || retry < 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `delivery.retry ${retry} must be a whole number >= 0 (0 = no retries)`,
      );
    }
    if (backoffPolicy !== 'exponential' && backoffPolicy !== 'linear') {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `delivery.backoffPolicy ${JSON.stringify(backoffPolicy)} must be "exponential" or "linear"`,
      );
    }
    if (!(delay >= 0) || !Number.isFinite(delay)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `delivery.backoffDelay ${delay} ms must be a finite duration >= 0, e.g. "PT0.2S"`,
      );
    }
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `delivery.timeout ${timeoutMs} ms must be a finite duration > 0, e.g. "PT5S"`,
      );
    }
    if (!(retryAfterMaxMs >= 0) || !Number.isFinite(retryAfterMaxMs)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `delivery.retryAfterMax ${retryAfterMaxMs} ms must be a finite duration >= 0 ("PT0S" ignores Retry-After)`,
      );
    }
    this.retry = retry;
    this.backoffPolicy = backoffPolicy;
    this.backoffDelayMs = delay;
    this.timeoutMs = timeoutMs;
    this.retryAfterMaxMs = Math.min(retryAfterMaxMs, MAX_BACKOFF_MS);
    this.schedule = Array.from({ length: retry }, (_, i) => cappedBackoffMs(backoffPolicy, delay, i));
  }

  /** The same policy with at least `retry` retries (a dead letter is the last copy of an event). */
  withAtLeast(retry: number): DeliveryPolicy {
    if (this.retry >= retry) return this;
    return new DeliveryPolicy({ ...this.options(), retry });
  }

  options(): DeliveryPolicyOptions {
    return {
      retry: this.retry,
      backoffPolicy: this.backoffPolicy,
      backoffDelayMs: this.backoffDelayMs,
      timeoutMs: this.timeoutMs,
      retryAfterMaxMs: this.retryAfterMaxMs,
    };
  }

  /** Waits before retry 1 … retry, without Retry-After. */
  backoffSchedule(): number[] {
    return [...this.schedule];
  }

  /**
   * The wait before the `retryNumber`-th retry: the backoff, or the server's Retry-After (capped at
   * retryAfterMax) when that is longer — as Knative does for 429 and 503.
   */
  delayBeforeRetry(retryNumber: number, retryAfterMs?: number): number {
    const backoff =
      this.schedule[retryNumber - 1] ?? cappedBackoffMs(this.backoffPolicy, this.backoffDelayMs, retryNumber - 1);
    return longerOfRetryAfter(backoff, retryAfterMs, this.retryAfterMaxMs);
  }
}
