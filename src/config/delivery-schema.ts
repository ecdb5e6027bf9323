// Schemas of Knative-style delivery: the `uri` subscriber (an addressable HTTP endpoint) and the
// `delivery` section (retry, backoff, per-attempt timeout, dead-letter sink) of a trigger or of the
// whole pipeline. Field names and meanings follow Knative's DeliverySpec (duck/v1).
import { z } from 'zod';
import { durationSchema } from './duration-schema.js';
import { kafkaConnectionSchema } from './source-schemas.js';

const DURATION_EXPECTED = 'expected an ISO-8601 duration such as "PT0.2S" (or "200ms", "2s")';

const durationMs = durationSchema(DURATION_EXPECTED);

/** An absolute http(s) URL, checked once at load. */
export const httpUrlSchema = z.string().refine(
  (text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
    } catch {
      return false;
    }
  },
  { message: 'expected an absolute http:// or https:// URL, e.g. http://127.0.0.1:8080/' },
);

/** Knative's Addressable subscriber: events are POSTed as CloudEvents; a 2xx reply with an event re-enters the router. */
export const httpSubscriberSchema = z.strictObject({
  uri: httpUrlSchema,
  /** CloudEvents HTTP content mode (Knative delivery.format): binary = ce- headers, structured = one JSON envelope. */
  format: z.enum(['binary', 'structured']).default('binary'),
  /** Requests in flight to this subscriber at most; further events wait for a free slot. */
  concurrency: z.number().int().min(1).max(10_000).default(64),
});

export const deadLetterSinkSchema = z.union([
  z.strictObject({ uri: httpUrlSchema }),
  z.strictObject({ kafka: z.strictObject({ ...kafkaConnectionSchema.shape, topic: z.string().min(1) }) }),
  /** Embedded mode: one structured CloudEvent (JSON) per line, appended; relative to the working directory. */
  z.strictObject({ file: z.string().min(1) }),
]);

export const DELIVERY_DEFAULTS = {
  retry: 0,
  backoffPolicy: 'exponential',
  backoffDelay: 200,
  timeout: 10_000,
  retryAfterMax: 30_000,
} as const;

/** Knative DeliverySpec. A trigger's `delivery` replaces the pipeline's `delivery` as a whole, as in Knative. */
export const deliverySchema = z.strictObject({
  /** Retries after the first attempt before the event is dead-lettered (Knative: retry). */
  retry: z.number().int().min(0).max(100).default(DELIVERY_DEFAULTS.retry),
  /** exponential: the n-th retry waits backoffDelay·2^n; linear: backoffDelay·n. */
  backoffPolicy: z.enum(['exponential', 'linear']).default(DELIVERY_DEFAULTS.backoffPolicy),
  backoffDelay: durationMs.default(DELIVERY_DEFAULTS.backoffDelay),
  /** Limit of each single attempt (Knative: timeout). */
  timeout: durationMs
    .refine((ms) => ms > 0, { message: 'timeout must be greater than 0, e.g. "PT5S"' })
    .default(DELIVERY_DEFAULTS.timeout),
  /** Upper bound on a 429/503 Retry-After wait; "PT0S" ignores Retry-After (Knative: retryAfterMax). */
  retryAfterMax: durationMs.default(DELIVERY_DEFAULTS.retryAfterMax),
  /** Where an event goes once its retries are spent or its failure is not retryable. */
  deadLetterSink: deadLetterSinkSchema.optional(),
});

export type HttpSubscriberSpec = z.output<typeof httpSubscriberSchema>;
export type DeadLetterSinkSpec = z.output<typeof deadLetterSinkSchema>;
export type DeliverySpec = z.output<typeof deliverySchema>;
