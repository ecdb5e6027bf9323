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
  uri: httpUrlSchema.describe(
    'Where events are POSTed as CloudEvents; a 2xx reply carrying an event re-enters the router.',
  ),
  format: z
    .enum(['binary', 'structured'])
    .default('binary')
    .describe(
      'CloudEvents HTTP content mode (Knative delivery.format): binary = ce- headers, structured = one JSON envelope.',
    ),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(64)
    .describe('Requests in flight to this subscriber at most; further events wait for a free slot.'),
});

export const deadLetterSinkSchema = z.union([
  z.strictObject({ uri: httpUrlSchema.describe('POST the failed event here, with knativeerror* extensions.') }),
  z.strictObject({
    kafka: z.strictObject({
      ...kafkaConnectionSchema.shape,
      topic: z.string().min(1).describe('Topic the failed events are written to.'),
    }),
  }),
  z.strictObject({
    file: z
      .string()
      .min(1)
      .describe(
        'Append one structured CloudEvent (JSON) per line to this file, relative to the working directory (embedded mode).',
      ),
  }),
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
  retry: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(DELIVERY_DEFAULTS.retry)
    .describe('Retries after the first attempt before the event is dead-lettered (Knative: retry).'),
  backoffPolicy: z
    .enum(['exponential', 'linear'])
    .default(DELIVERY_DEFAULTS.backoffPolicy)
    .describe(
      "exponential: the n-th retry waits backoffDelay·2^(n−1); linear: backoffDelay·(n−1), as Knative's dispatcher counts.",
    ),
  backoffDelay: durationMs
    .default(DELIVERY_DEFAULTS.backoffDelay)
    .describe('Base delay of the backoff (Knative: backoffDelay).'),
  timeout: durationMs
    .refine((ms) => ms > 0, { message: 'timeout must be greater than 0, e.g. "PT5S"' })
    .default(DELIVERY_DEFAULTS.timeout)
    .describe('Limit of each single attempt (Knative: timeout).'),
  retryAfterMax: durationMs
    .default(DELIVERY_DEFAULTS.retryAfterMax)
    .describe('Upper bound on a 429/503 Retry-After wait; "PT0S" ignores Retry-After (Knative: retryAfterMax).'),
  deadLetterSink: deadLetterSinkSchema
    .optional()
    .describe('Where an event goes once its retries are spent or its failure is not retryable.'),
});

export type HttpSubscriberSpec = z.output<typeof httpSubscriberSchema>;
export type DeadLetterSinkSpec = z.output<typeof deadLetterSinkSchema>;
export type DeliverySpec = z.output<typeof deliverySchema>;
