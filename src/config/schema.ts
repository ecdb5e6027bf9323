// The pipeline file's schema: one zod schema per section, from which validation and the
// reference docs come. Durations are written as text ("20ms", "PT1S") and arrive here in ms.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ATTRIBUTE_NAME } from '../router/attribute-reader.js';
import { deliverySchema, httpSubscriberSchema } from './delivery-schema.js';
import { durationSchema } from './duration-schema.js';
import { distributedSchema, redisUrl } from './distributed-schema.js';
import {
  httpSourceSchema,
  kafkaSinkSchema,
  kafkaSourceSchema,
  rocketmqSourceSchema,
  SOURCE_KINDS,
} from './source-schemas.js';

const duration = durationSchema();

const name = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    'expected a lower-case name of letters, digits and "-" (like a Kubernetes name)',
  );

export const surgeSchema = z.strictObject({
  /** Offset from the generator's start. */
  at: duration,
  /** Which stream surges; omitted: all streams. */
  stream: z.string().optional(),
  /** Peak multiplier of the stream's rate. */
  factor: z.number().gt(1).default(10),
  /** Time constant of the exponential decay back to normal. */
  decay: duration.default(3000),
});

export const generatorSchema = z.strictObject({
  seed: z.number().int().default(42),
  streams: z.number().int().min(1).max(10_000).default(3),
  /** Mean interactions per second over all streams, before surges. */
  rate: z.number().positive().default(200),
  /** Stop after this long (omitted: run until stopped). */
  duration: duration.optional(),
  /** Stop after this many events (omitted: no limit). */
  maxEvents: z.number().int().positive().optional(),
  surges: z.array(surgeSchema).default([]),
  /** Unscheduled surges: on average one every `every`, on a random stream. 0 disables. */
  randomSurges: z
    .strictObject({
      every: duration.default(20_000),
      factor: z.number().gt(1).default(10),
      decay: duration.default(3000),
    })
    .default({ every: 20_000, factor: 10, decay: 3000 }),
  /** Relative weights of the interaction kinds. */
  mix: z
    .strictObject({
      comment: z.number().min(0).default(0.35),
      like: z.number().min(0).default(0.35),
      gift: z.number().min(0).default(0.08),
      vote: z.number().min(0).default(0.12),
      join: z.number().min(0).default(0.1),
    })
    .default({ comment: 0.35, like: 0.35, gift: 0.08, vote: 0.12, join: 0.1 }),
});

/** A source: a name and exactly one kind (generator, kafka, rocketmq, http). */
export const sourceSchema = z
  .strictObject({
    name,
    generator: generatorSchema.optional(),
    kafka: kafkaSourceSchema.optional(),
    rocketmq: rocketmqSourceSchema.optional(),
    http: httpSourceSchema.optional(),
  })
  .superRefine((source, ctx) => {
    const kinds = SOURCE_KINDS.filter((kind) => source[kind] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? `needs one of: ${SOURCE_KINDS.join(', ')}`
            : `takes exactly one of: ${SOURCE_KINDS.join(', ')}; got ${kinds.join(' and ')}`,
      });
    }
  });

/** Knative KPA defaults (config-autoscaler), except targetConcurrency, sized for cheap batched items. */
export const autoscaleSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Fewest workers; 0 lets the pool scale to zero after the grace period (live streams want 1 warm worker). */
    min: z.number().int().min(0).max(64).default(1),
    max: z.number().int().min(1).max(64).default(Math.max(1, availableParallelism())),
    /** Items in flight (queued + running) per worker that the autoscaler aims at, before targetUtilization. */
    targetConcurrency: z.number().positive().default(32),
    targetUtilization: z.number().gt(0).max(1).default(0.7),
    stableWindow: duration.default(60_000),
    panicWindowPercentage: z.number().min(1).max(100).default(10),
    /** Panic when the panic window wants this multiple of the ready workers (2.0 = Knative's 200 %). */
    panicThreshold: z.number().min(1).default(2),
    maxScaleUpRate: z.number().gt(1).default(1000),
    maxScaleDownRate: z.number().gt(1).default(2),
    scaleToZeroGracePeriod: duration.default(30_000),
    tick: duration.default(2000),
    /** Also scale up when the predicted queueing delay would exceed budgets.queue (off: pure KPA). */
    budgetPrediction: z.boolean().default(true),
    /** A worker scaled away stays parked with its session loaded this long, for reuse; 0 ends it at once. */
    parkFor: duration.default(30_000),
  })
  .refine((a) => a.max >= a.min, { message: 'autoscale.max must be >= autoscale.min', path: ['max'] })
  .prefault({});

export const modelSchema = z.strictObject({
  name,
  /** Path of the model manifest (YAML), relative to the pipeline file. */
  manifest: z.string().min(1),
  /** Worker threads, each with its own ONNX session. */
  workers: z.number().int().min(1).max(64).default(2),
  batch: z
    .strictObject({
      maxSize: z.number().int().min(1).max(4096).default(32),
      maxDelay: duration.default(2),
      /** Flush as soon as one of these sizes is queued, even below maxSize (Triton's preferred batch sizes). */
      preferredSizes: z.array(z.number().int().min(1).max(4096)).default([]),
      /** What happens to an item predicted to miss its deadline; omitted: budgets.policy. */
      deadlinePolicy: z.enum(['deliver-late', 'conflate', 'shed']).optional(),
    })
    .default({ maxSize: 32, maxDelay: 2, preferredSizes: [] }),
  /** Grow and shrink the worker pool with the load (Knative KPA + queue-budget prediction); off: fixed `workers`. */
  autoscale: autoscaleSchema,
  /** Run batches in `livepipe worker` processes through a BullMQ queue on Redis instead of local worker threads. */
  distributed: distributedSchema.optional(),
  /** Events waiting for a worker beyond this are shed (counted, dead-lettered). */
  queueLimit: z.number().int().min(1).default(10_000),
  /** Type of the result events this model emits. */
  resultType: z.string().min(1).optional(),
});

const attributeName = z
  .string()
  .regex(
    ATTRIBUTE_NAME,
    'CloudEvents attribute names are a lower-case letter followed by lower-case letters and digits',
  );

export const triggerSchema = z.strictObject({
  name,
  /** Legacy Knative filter: exact match on each attribute ("" = present and non-empty; absent fails). */
  filter: z.strictObject({ attributes: z.record(attributeName, z.string()).optional() }).optional(),
  /** Knative "new filters" dialect: exact, prefix, suffix, all, any, not, cesql — and cel. */
  filters: z.array(z.record(z.string(), z.unknown())).optional(),
  subscriber: z.union([
    z.strictObject({ model: name }),
    z.strictObject({ overlay: z.string().min(1) }),
    z.strictObject({ aggregate: name }),
    z.strictObject({ kafka: kafkaSinkSchema }),
    httpSubscriberSchema,
  ]),
  /** Retries, backoff, per-attempt timeout and dead-letter sink for a kafka or uri subscriber; omitted: the pipeline's `delivery`. */
  delivery: deliverySchema.optional(),
});

export const aggregationSchema = z.strictObject({
  name,
  /** Sliding window length for the counters. */
  window: duration.default(10_000),
  /** Width of one bucket of the window. */
  bucket: duration.default(1000),
  /** Likes + gift value per second (per stream) that reads as a full hype meter. */
  hypeFullScale: z.number().positive().default(50),
  /** How often the tallies are pushed to the overlay. */
  publishEvery: duration.default(500),
});

export const overlaySchema = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Messages kept per room for a new client's snapshot. */
    snapshotSize: z.number().int().min(0).default(50),
    /** Share overlay messages with other pipeline instances through this Redis (pub/sub). */
    redis: redisUrl.optional(),
  })
  .default({ host: '127.0.0.1', port: 8080, snapshotSize: 50 });

export const metricsSchema = z
  .strictObject({
    /** Served on the overlay server at /metrics unless a port is given. */
    port: z.number().int().min(0).max(65_535).optional(),
    /** Seconds between status lines on stdout; 0 disables. */
    statusEvery: duration.default(5000),
  })
  .default({ statusEvery: 5000 });

export const budgetsSchema = z
  .strictObject({
    source: duration.default(5),
    route: duration.default(2),
    queue: duration.default(50),
    infer: duration.default(50),
    push: duration.default(10),
    e2e: duration.default(150),
    /** What happens to an event that can no longer meet its e2e budget before inference. */
    policy: z.enum(['deliver-late', 'shed']).default('deliver-late'),
  })
  .default({ source: 5, route: 2, queue: 50, infer: 50, push: 10, e2e: 150, policy: 'deliver-late' });

export const pipelineSchema = z.strictObject({
  apiVersion: z.literal('livepipe/v1'),
  kind: z.literal('Pipeline'),
  metadata: z.strictObject({ name, description: z.string().optional() }),
  sources: z.array(sourceSchema).min(1),
  models: z.array(modelSchema).default([]),
  triggers: z.array(triggerSchema).min(1),
  aggregations: z.array(aggregationSchema).default([]),
  overlay: overlaySchema,
  metrics: metricsSchema,
  budgets: budgetsSchema,
  /** Default delivery of every trigger with a kafka or uri subscriber that sets none (Knative: the Broker's delivery). */
  delivery: deliverySchema.optional(),
});

export type PipelineSpec = z.output<typeof pipelineSchema>;
export type GeneratorSpec = z.output<typeof generatorSchema>;
export type SourceSpec = z.output<typeof sourceSchema>;
export type { HttpSourceSpec, KafkaSinkSpec, KafkaSourceSpec, RocketmqSourceSpec } from './source-schemas.js';
export type ModelSpec = z.output<typeof modelSchema>;
export type TriggerSpec = z.output<typeof triggerSchema>;
export type AggregationSpec = z.output<typeof aggregationSchema>;
export type AutoscaleSpec = z.output<typeof autoscaleSchema>;
export type BudgetsSpec = z.output<typeof budgetsSchema>;
export type OverlaySpec = z.output<typeof overlaySchema>;
export type { DeadLetterSinkSpec, DeliverySpec, HttpSubscriberSpec } from './delivery-schema.js';

/** A validated pipeline: the spec plus where it came from. Model manifests are absolute paths. */
export interface Pipeline extends PipelineSpec {
  file: string;
}
