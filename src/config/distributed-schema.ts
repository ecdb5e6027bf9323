// Config of the distributed mode: `models[].distributed` sends a model's batches to
// `livepipe worker` processes through a BullMQ queue on Redis; `overlay.redis` shares overlay
// messages between pipeline instances through Redis pub/sub.
import { z } from 'zod';
import { QUEUE_NAME, QUEUE_NAME_RULE } from '../workers/distributed/job-protocol.js';
import { REDIS_URL, REDIS_URL_RULE } from '../brokers/redis/redis-url.js';
import { durationSchema } from './duration-schema.js';

const DURATION_EXPECTED = 'expected a duration such as "500ms", "30s" or ISO-8601 "PT30S"';

const positiveDuration = durationSchema(DURATION_EXPECTED, { positive: true });

export const redisUrl = z.string().regex(REDIS_URL, `expected ${REDIS_URL_RULE}`);

/** The autoscaler is what starts and stops local worker processes (checked by the schema and DistributedPool). */
export const LOCAL_WORKERS_NEED_AUTOSCALE =
  'distributed.localWorkers needs autoscale.enabled: true (with autoscale.min/max), which starts and stops the processes; or leave it off and start `livepipe worker` processes yourself';

export const distributedSchema = z.strictObject({
  redis: redisUrl
    .default('redis://127.0.0.1:6379')
    .describe('The Redis that holds the queue; workers must use the same one.'),
  queue: z
    .string()
    .regex(QUEUE_NAME, `expected ${QUEUE_NAME_RULE}`)
    .optional()
    .describe(
      "BullMQ queue name (keys `livepipe:<queue>:…`); omitted: the model's name. Start workers with the same --queue.",
    ),
  attempts: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(3)
    .describe('Runs of a batch before its items fail with worker-failed (a worker that died mid-batch counts one).'),
  backoff: positiveDuration.default(100).describe('First retry delay of a failed batch, doubled per attempt.'),
  resultTimeout: positiveDuration
    .default(30_000)
    .describe('A batch without a result this long after it was queued fails with worker-failed.'),
  localWorkers: z
    .boolean()
    .default(false)
    .describe(
      'With autoscale.enabled: the router starts and stops `livepipe worker` processes on its own host as the autoscaler decides (min 0 scales to zero). Off: it only reports livepipe_desired_workers, for KEDA or an HPA to act on.',
    ),
});

export type DistributedSpec = z.output<typeof distributedSchema>;
