// `livepipe worker --model <manifest.yaml>`: a process that serves a model's batch queue on Redis
// for pipelines whose model has `distributed:` set. Run any number, on any host; SIGTERM or SIGINT
// finishes the batches in hand and exits.
import type { Command } from 'commander';
import { parseDuration } from '../config/duration.js';
import { LivepipeError } from '../errors.js';
import { BatchWorker } from '../workers/distributed/batch-worker.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

interface WorkerFlags {
  model: string;
  redis: string;
  queue?: string;
  concurrency?: string;
  threads: string;
  lockDuration?: string;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description("serve a model's inference queue on Redis (BullMQ) for pipelines with models[].distributed")
    .requiredOption('-m, --model <manifest>', 'model manifest (YAML), e.g. models/chat-sentiment.yaml')
    .option('--redis <url>', 'Redis URL', DEFAULT_REDIS_URL)
    .option('--queue <name>', 'queue name (default: the model name; must match models[].distributed.queue)')
    .option('--concurrency <n>', 'batches run at once (default: --threads)')
    .option('--threads <n>', 'inference threads: 1 runs the model in this process, more use worker threads', '1')
    .option('--lock-duration <duration>', "how soon a dead worker's batch goes to another worker, e.g. 5s", '5s')
    .action(async (flags: WorkerFlags) => {
      const worker = new BatchWorker({
        manifestPath: flags.model,
        redis: flags.redis,
        queue: flags.queue,
        threads: integerFlag('--threads', flags.threads),
        concurrency: flags.concurrency === undefined ? undefined : integerFlag('--concurrency', flags.concurrency),
        lockDurationMs: durationFlag('--lock-duration', flags.lockDuration ?? '5s'),
      });
      let stopping: Promise<void> | undefined;
      let starting: Promise<void> | undefined;
      const stop = (signal: string): void => {
        if (stopping !== undefined) return;
        console.log(`livepipe worker: ${signal}, finishing the batches in hand…`);
        // A signal during start-up waits for the queue consumer to exist, so close() really stops it.
        const started = (starting ?? Promise.resolve()).catch(() => undefined);
        stopping = started
          .then(() => worker.close())
          .then(() => {
            const { batches, items } = worker.stats();
            console.log(`livepipe worker: stopped after ${batches} batches (${items} items)`);
          });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      starting = worker.start();
      await starting;
      if (stopping === undefined) console.log(`livepipe worker: ${worker.describe()}`);
    });
}

function integerFlag(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new LivepipeError('LP_CONFIG_INVALID', `${flag} expects an integer >= 1, got "${text}"`);
  return value;
}

function durationFlag(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new LivepipeError('LP_CONFIG_INVALID', `${flag} expects a duration such as 5s or 500ms, got "${text}"`);
  return ms;
}
