// Config of the distributed mode: `models[].distributed` sends a model's batches to
// `livepipe worker` processes through a BullMQ queue on Redis; `overlay.redis` shares overlay
// messages between pipeline instances through Redis pub/sub.
import { z } from 'zod';
import { durationSchema } from './duration-schema.js';

const DURATION_EXPECTED = 'expected a duration such as "500ms", "30s" or ISO-8601 "PT30S"';

const positiveDuration = durationSchema(DURATION_EXPECTED, { positive: true });

export const redisUrl = z.string().regex(/^rediss?:\/\/[^\s]+$/, 'expected a Redis URL such as redis://127.0.0.1:6379');

export const distributedSchema = z.strictObject({
  redis: redisUrl
    .default('redis://127.0.0.1:6379')
    .describe('The Redis that holds the queue; workers must use the same one.'),
  queue: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected 1-128 letters, digits, ".", "_" or "-" (BullMQ refuses ":")')
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
