// The pipeline file's schema: one zod schema per section, from which validation and the
// reference docs come. Durations are written as text ("20ms", "PT1S") and arrive here in ms.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ATTRIBUTE_NAME } from '../router/attribute-reader.js';
import {
  DEADLINE_POLICIES,
  MAX_BATCH_SIZE,
  MAX_BATCH_TOKENS,
  preferredSizeRule,
} from '../workers/batching/dynamic-batcher.js';
import { QUEUE_NAME, QUEUE_NAME_RULE } from '../workers/distributed/job-protocol.js';
import { MAX_WORKERS } from '../workers/pool/model-pool.js';
import { deliverySchema, httpSubscriberSchema } from './delivery-schema.js';
import { durationSchema } from './duration-schema.js';
import { distributedSchema, LOCAL_WORKERS_NEED_AUTOSCALE, redisUrl } from './distributed-schema.js';
import {
  httpSourceSchema,
  kafkaSinkSchema,
  kafkaSourceSchema,
  rocketmqSourceSchema,
  SOURCE_KINDS,
} from './source-schemas.js';

const duration = durationSchema();
const positiveDuration = durationSchema('expected a duration greater than 0, such as "20ms" or "2s"', {
  positive: true,
});

const name = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    'expected a lower-case name of letters, digits and "-" (like a Kubernetes name)',
  );

export const surgeSchema = z.strictObject({
  at: duration.describe("Offset from the generator's start."),
  stream: z.string().optional().describe('Which stream surges; omitted: all streams.'),
  factor: z.number().gt(1).default(10).describe("Peak multiplier of the stream's rate."),
  decay: duration.default(3000).describe('Time constant of the exponential decay back to normal.'),
});

export const generatorSchema = z.strictObject({
  seed: z.number().int().default(42).describe('Same seed, same audience: runs are reproducible.'),
  streams: z.number().int().min(1).max(10_000).default(3).describe('Simulated live streams (stream-1 … stream-N).'),
  rate: z.number().positive().default(200).describe('Mean interactions per second over all streams, before surges.'),
  duration: duration.optional().describe('Stop after this long (omitted: run until stopped).'),
  maxEvents: z.number().int().positive().optional().describe('Stop after this many events (omitted: no limit).'),
  languages: z
    .record(z.string(), z.enum(['en', 'zh']))
    .default({})
    .describe(
      'Chat language per stream, e.g. `{ stream-3: zh }` (en English, zh Chinese); streams not listed chat in English. Comments carry it in their `language` attribute.',
    ),
  surges: z.array(surgeSchema).default([]).describe('Scheduled surges (a raid, a giveaway).'),
  randomSurges: z
    .strictObject({
      every: duration.default(20_000).describe('Mean time between random surges; 0s disables them.'),
      factor: z.number().gt(1).default(10).describe("Peak multiplier of the stream's rate."),
      decay: duration.default(3000).describe('Time constant of the decay back to normal.'),
    })
    .default({ every: 20_000, factor: 10, decay: 3000 })
    .describe('Unscheduled surges: on average one every `every`, on a random stream. 0 disables.'),
  mix: z
    .strictObject({
      comment: z.number().min(0).default(0.35).describe('Weight of comment events.'),
      like: z.number().min(0).default(0.35).describe('Weight of like events.'),
      gift: z.number().min(0).default(0.08).describe('Weight of gift events.'),
      vote: z.number().min(0).default(0.12).describe('Weight of vote events.'),
      join: z.number().min(0).default(0.1).describe('Weight of join events.'),
    })
    .default({ comment: 0.35, like: 0.35, gift: 0.08, vote: 0.12, join: 0.1 })
    .describe('Relative weights of the interaction kinds.'),
});

/** A source: a name and exactly one kind (generator, kafka, rocketmq, http). */
export const sourceSchema = z
  .strictObject({
    name: name.describe('Unique among the sources; names the CloudEvent source of generated events.'),
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
    enabled: z.boolean().default(false).describe('Off: the pool stays at `workers`.'),
    min: z
      .number()
      .int()
      .min(0)
      .max(MAX_WORKERS)
      .default(1)
      .describe(
        'Fewest workers; 0 lets the pool scale to zero after the grace period (live streams want 1 warm worker).',
      ),
    max: z
      .number()
      .int()
      .min(1)
      .max(MAX_WORKERS)
      .default(Math.min(MAX_WORKERS, Math.max(1, availableParallelism())))
      .meta({ description: 'Most workers.', defaultText: 'CPU cores' }),
    targetConcurrency: z
      .number()
      .positive()
      .default(32)
      .describe('Items in flight (queued + running) per worker that the autoscaler aims at, before targetUtilization.'),
    targetUtilization: z
      .number()
      .gt(0)
      .max(1)
      .default(0.7)
      .describe(
        'Fraction of targetConcurrency aimed at, leaving headroom for bursts (Knative: container-concurrency-target-percentage).',
      ),
    stableWindow: duration
      .default(60_000)
      .describe('Window of the stable concurrency average (Knative: stable-window).'),
    panicWindowPercentage: z
      .number()
      .min(1)
      .max(100)
      .default(10)
      .describe('Panic window as a percentage of the stable window.'),
    panicThreshold: z
      .number()
      .min(1)
      .default(2)
      .describe("Panic when the panic window wants this multiple of the ready workers (2.0 = Knative's 200 %)."),
    maxScaleUpRate: z
      .number()
      .gt(1)
      .default(1000)
      .describe('At most this multiple of the ready workers in one step up.'),
    maxScaleDownRate: z.number().gt(1).default(2).describe('At least ready workers ÷ this after one step down.'),
    scaleToZeroGracePeriod: duration
      .default(30_000)
      .describe('With min 0: how long the pool stays idle at one worker before going to zero.'),
    tick: positiveDuration.default(2000).describe('How often the autoscaler decides (Knative: tick-interval).'),
    budgetPrediction: z
      .boolean()
      .default(true)
      .describe('Also scale up when the predicted queueing delay would exceed budgets.queue (off: pure KPA).'),
    parkFor: duration
      .default(30_000)
      .describe('A worker scaled away stays parked with its session loaded this long, for reuse; 0 ends it at once.'),
  })
  .refine((a) => a.max >= a.min, { message: 'autoscale.max must be >= autoscale.min', path: ['max'] })
  // The KPA averages over buckets of min(tick, 1 s) (autoscaler.ts); a window must hold one.
  .refine((a) => a.stableWindow >= Math.min(a.tick, 1000), {
    message: 'autoscale.stableWindow must be at least one averaging bucket: min(tick, 1s)',
    path: ['stableWindow'],
  })
  .prefault({});

export const batchSchema = z
  .strictObject({
    maxSize: z.number().int().min(1).max(MAX_BATCH_SIZE).default(32).describe('Most items in one batch.'),
    maxDelay: duration.default(2).describe('Longest the oldest item waits for a fuller batch.'),
    preferredSizes: z
      .array(z.number().int().min(1).max(MAX_BATCH_SIZE))
      .default([])
      .describe("Flush as soon as one of these sizes is queued, even below maxSize (Triton's preferred batch sizes)."),
    deadlinePolicy: z
      .enum(DEADLINE_POLICIES)
      .optional()
      .describe('What happens to an item predicted to miss its deadline; omitted: budgets.policy.'),
    maxTokens: z
      .number()
      .int()
      .min(1)
      .max(MAX_BATCH_TOKENS)
      .optional()
      .describe(
        "Token budget per batch: size × longest item's estimated tokens, padding included (text-embeddings-inference's max-batch-tokens); the batch time is then learned per padded token. Omitted: batches bounded by maxSize only.",
      ),
    bucketing: z
      .boolean()
      .default(true)
      .describe(
        'With maxTokens, form each batch from items of similar estimated length (buckets ≤ 8, 12, 16, 24, 32, … tokens) so short messages are not padded to long ones; the oldest item always goes next.',
      ),
  })
  .superRefine((batch, ctx) => {
    batch.preferredSizes.forEach((size, i) => {
      if (size > batch.maxSize)
        ctx.addIssue({ code: 'custom', path: ['preferredSizes', i], message: preferredSizeRule(batch.maxSize) });
    });
  })
  .default({ maxSize: 32, maxDelay: 2, preferredSizes: [], bucketing: true });

export const modelSchema = z
  .strictObject({
    name: name.describe('Unique among the models; triggers name it in `subscriber.model`.'),
    manifest: z.string().min(1).describe('Path of the model manifest (YAML), relative to the pipeline file.'),
    workers: z
      .number()
      .int()
      .min(1)
      .max(MAX_WORKERS)
      .default(2)
      .describe('Worker threads, each with its own ONNX session.'),
    batch: batchSchema,
    autoscale: autoscaleSchema.describe(
      'Grow and shrink the worker pool with the load (Knative KPA + queue-budget prediction); off: fixed `workers`.',
    ),
    distributed: distributedSchema
      .optional()
      .describe(
        'Run batches in `livepipe worker` processes through a BullMQ queue on Redis instead of local worker threads.',
      ),
    queueLimit: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('Events waiting for a worker beyond this are shed (counted, dead-lettered).'),
    resultType: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Type of the result events this model emits; default `ai.<manifest name>.result`, the type `livepipe serve-model` answers with for the same manifest.',
      ),
  })
  .superRefine((model, ctx) => {
    if (model.distributed?.localWorkers === true && !model.autoscale.enabled)
      ctx.addIssue({ code: 'custom', path: ['distributed', 'localWorkers'], message: LOCAL_WORKERS_NEED_AUTOSCALE });
    // The queue defaults to the model's name, which the queue-name rule must then accept too.
    if (model.distributed !== undefined && model.distributed.queue === undefined && !QUEUE_NAME.test(model.name))
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `the model's name is its distributed queue's name unless distributed.queue is set, and must be ${QUEUE_NAME_RULE}`,
      });
  });

const attributeName = z
  .string()
  .regex(
    ATTRIBUTE_NAME,
    'CloudEvents attribute names are a lower-case letter followed by lower-case letters and digits',
  );

export const triggerSchema = z.strictObject({
  name: name.describe('Unique among the triggers; in metrics and dead letters.'),
  filter: z
    .strictObject({
      attributes: z.record(attributeName, z.string()).optional().describe('Attribute name → the value it must equal.'),
    })
    .optional()
    .describe('Legacy Knative filter: exact match on each attribute ("" = present and non-empty; absent fails).'),
  filters: z
    .array(z.record(z.string(), z.unknown()))
    .optional()
    .describe('Knative "new filters" dialect: exact, prefix, suffix, all, any, not, cesql — and cel.'),
  subscriber: z
    .union([
      z.strictObject({
        model: name.describe('Run the event through this model; its result event goes back through the router.'),
      }),
      z.strictObject({
        overlay: z
          .string()
          .min(1)
          .describe("Push the event to the overlay channel of this name, in its stream's room."),
      }),
      z.strictObject({ aggregate: name.describe('Count the event in this aggregation (hype meter, poll tallies).') }),
      z.strictObject({ kafka: kafkaSinkSchema.describe('Write the event to a Kafka topic.') }),
      httpSubscriberSchema,
    ])
    .describe('Where matching events go.'),
  delivery: deliverySchema
    .optional()
    .describe(
      "Retries, backoff, per-attempt timeout and dead-letter sink for a kafka or uri subscriber; omitted: the pipeline's `delivery`.",
    ),
});

export const aggregationSchema = z.strictObject({
  name: name.describe('Unique among the aggregations; triggers name it in `subscriber.aggregate`.'),
  window: duration.default(10_000).describe('Sliding window length for the counters.'),
  bucket: duration.default(1000).describe('Width of one bucket of the window.'),
  hypeFullScale: z
    .number()
    .positive()
    .default(50)
    .describe('Likes + gift value per second (per stream) that reads as a full hype meter.'),
  publishEvery: duration.default(500).describe('How often the tallies are pushed to the overlay.'),
});

export const overlaySchema = z
  .strictObject({
    host: z.string().default('127.0.0.1').describe('Interface of the overlay, index and /metrics server.'),
    port: z.number().int().min(0).max(65_535).default(8080).describe('Its port; 0 picks a free one.'),
    snapshotSize: z.number().int().min(0).default(50).describe("Messages kept per room for a new client's snapshot."),
    redis: redisUrl
      .optional()
      .describe('Share overlay messages with other pipeline instances through this Redis (pub/sub).'),
  })
  .default({ host: '127.0.0.1', port: 8080, snapshotSize: 50 });

export const metricsSchema = z
  .strictObject({
    port: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .optional()
      .describe('Served on the overlay server at /metrics unless a port is given.'),
    statusEvery: duration.default(5000).describe('Seconds between status lines on stdout; 0 disables.'),
  })
  .default({ statusEvery: 5000 });

export const budgetsSchema = z
  .strictObject({
    source: duration.default(5).describe('Budget of the source stage: broker timestamp → CloudEvent.'),
    route: duration.default(2).describe('Budget of the route stage: filters matched, subscribers chosen.'),
    queue: positiveDuration.default(50).describe('Budget of the queue stage: wait in the batcher or queue.'),
    infer: duration.default(50).describe('Budget of the infer stage: model run of the batch.'),
    push: duration.default(10).describe('Budget of the push stage: result → WebSocket write.'),
    e2e: duration.default(150).describe('Budget of the e2e stage: broker timestamp → overlay write.'),
    policy: z
      .enum(DEADLINE_POLICIES)
      .exclude(['conflate'])
      .default('deliver-late')
      .describe('What happens to an event that can no longer meet its e2e budget before inference.'),
  })
  .default({ source: 5, route: 2, queue: 50, infer: 50, push: 10, e2e: 150, policy: 'deliver-late' });

export const pipelineSchema = z.strictObject({
  apiVersion: z.literal('livepipe/v1').describe('The file format version.'),
  kind: z.literal('Pipeline').describe('The only kind there is.'),
  metadata: z
    .strictObject({
      name: name.describe('Names the pipeline in logs, metrics and exported manifests.'),
      description: z.string().optional().describe('Free text.'),
    })
    .describe('Who the pipeline is.'),
  sources: z
    .array(sourceSchema)
    .min(1)
    .describe(
      'Where events come from: each entry has a `name` and exactly one kind (`generator`, `kafka`, `rocketmq`, `http`).',
    ),
  models: z.array(modelSchema).default([]).describe('ONNX model pools that subscribers can name.'),
  triggers: z
    .array(triggerSchema)
    .min(1)
    .describe('Knative-style triggers: a filter and the subscriber that gets what passes it.'),
  aggregations: z
    .array(aggregationSchema)
    .default([])
    .describe('Windowed counters of likes, gifts and votes (hype meter, polls), pushed to the overlay.'),
  overlay: overlaySchema.describe('The WebSocket overlay server.'),
  metrics: metricsSchema.describe('Prometheus metrics and status lines.'),
  budgets: budgetsSchema.describe('Latency budget per stage, in ms; breaches are counted per stage.'),
  delivery: deliverySchema
    .optional()
    .describe(
      "Default delivery of every trigger with a kafka or uri subscriber that sets none (Knative: the Broker's delivery).",
    ),
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
