// `livepipe produce --rocketmq <topic>`: publishes the InteractionSimulator's interactions to a
// RocketMQ topic as binary-mode CloudEvents (ce_ properties, tag = interaction kind, key = event
// id), paced by the simulator's own clock so its surges reach the broker as surges.
import rocketmq from 'rocketmq-client-nodejs';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { generatorSchema } from '../config/schema.js';
import { LivepipeError, messageOf } from '../errors.js';
import { INGEST_TIME, type LiveEvent } from '../events/cloudevent.js';
import { cloudEventToRocketmqMessage } from '../events/rocketmq-binding.js';
import { InteractionSimulator } from '../sources/generator.js';
import { rocketmqClientLogger, rocketmqLogger } from '../brokers/rocketmq/client-logger.js';

const { Producer } = rocketmq;

export interface ProduceToRocketmqOptions {
  topic: string;
  /** The RocketMQ 5 gRPC proxy; default 127.0.0.1:8081. */
  endpoints?: string;
  namespace?: string;
  /** Mean events per second (the simulator's rate, surges on top); Infinity sends as fast as the broker takes them. Default 200. */
  rate?: number;
  /** Stop after this many events. */
  count?: number;
  /** Stop after this long, ms. Without count or durationMs the producer runs until the signal aborts. */
  durationMs?: number;
  /** The simulated audience (generator section of a pipeline: seed, streams, mix, surges…). */
  generator?: z.input<typeof generatorSchema>;
  /** Put in front of every event id (e.g. a run id), so repeated runs into one topic do not repeat ids. */
  idPrefix?: string;
  /** Sends awaiting the broker's answer at once. Default 64. */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called after each successful send. */
  onSent?: (event: LiveEvent, messageId: string) => void;
  /** Called about once a second while producing. */
  onProgress?: (progress: ProduceProgress) => void;
  logger?: Logger;
}

export interface ProduceProgress {
  sent: number;
  failed: number;
  elapsedMs: number;
}

export interface ProduceToRocketmqResult extends ProduceProgress {
  /** Sent per second over the whole run. */
  ratePerSecond: number;
  /** The first send error, when some failed. */
  firstError?: string;
}

const DEFAULT_RATE = 200;
const DEFAULT_CONCURRENCY = 64;
const PROGRESS_EVERY_MS = 1_000;

export async function produceToRocketmq(options: ProduceToRocketmqOptions): Promise<ProduceToRocketmqResult> {
  const rate = options.rate ?? DEFAULT_RATE;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!options.topic) throw new LivepipeError('LP_CONFIG_INVALID', 'produce --rocketmq needs a topic name');
  if (!(rate > 0))
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      `produce rate must be a positive number of events per second (or "max"), got ${rate}`,
    );
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new LivepipeError('LP_CONFIG_INVALID', `produce concurrency must be a positive integer, got ${concurrency}`);
  const paced = Number.isFinite(rate);
  const generator = generatorSchema.parse({ ...options.generator, ...(paced ? { rate } : {}) });
  const endpoints = options.endpoints ?? '127.0.0.1:8081';
  const logger = options.logger ?? rocketmqLogger('livepipe-rocketmq-producer');
  const producer = new Producer({
    endpoints,
    namespace: options.namespace ?? '',
    topic: options.topic,
    logger: rocketmqClientLogger(logger),
  });
  try {
    await producer.startup();
  } catch (error) {
    await producer.shutdown().catch(() => undefined);
    throw new LivepipeError(
      'LP_BROKER_UNAVAILABLE',
      `cannot publish to RocketMQ topic "${options.topic}" at ${endpoints} (${messageOf(error)}). Start a local broker with \`npm run brokers:rocketmq\` and create the topic with \`bash deploy/local/rocketmq topic ${options.topic} NORMAL\`.`,
      { cause: error },
    );
  }

  const startedAt = Date.now();
  const simulator = new InteractionSimulator(generator, { startEpochMs: startedAt });
  const count = options.count ?? Infinity;
  const until = options.durationMs === undefined ? Infinity : startedAt + options.durationMs;
  const idPrefix = options.idPrefix ?? '';
  let sent = 0;
  let failed = 0;
  let issued = 0;
  let firstError: string | undefined;
  let lastProgress = startedAt;
  const pending = new Set<Promise<void>>();

  try {
    while (issued < count && !options.signal?.aborted) {
      const next = simulator.next();
      if (paced) {
        const wait = startedAt + next.offsetMs - Date.now();
        if (wait > 0) await sleep(wait, options.signal);
      }
      if (Date.now() >= until || options.signal?.aborted) break;
      while (pending.size >= concurrency) await Promise.race(pending);
      const event = next.event;
      // The broker's born timestamp is the ingest time; the simulator's placeholder 0 must not travel.
      delete event[INGEST_TIME];
      if (idPrefix) event.id = idPrefix + event.id;
      const kind = event.type.startsWith('live.') ? event.type.slice(5) : event.type;
      const message = cloudEventToRocketmqMessage(event, options.topic, { tag: kind });
      issued++;
      const send = producer.send(message).then(
        (receipt) => {
          sent++;
          options.onSent?.(event, receipt.messageId);
        },
        (error: unknown) => {
          failed++;
          firstError ??= messageOf(error);
        },
      );
      pending.add(send);
      void send.finally(() => pending.delete(send));
      const now = Date.now();
      if (options.onProgress && now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        options.onProgress({ sent, failed, elapsedMs: now - startedAt });
      }
    }
    await Promise.allSettled([...pending]);
  } finally {
    await producer
      .shutdown()
      .catch((error: unknown) => logger.warn({ err: String(error) }, 'RocketMQ producer shutdown failed'));
  }
  const elapsedMs = Date.now() - startedAt;
  const result: ProduceToRocketmqResult = {
    sent,
    failed,
    elapsedMs,
    ratePerSecond: elapsedMs > 0 ? (sent * 1000) / elapsedMs : sent,
  };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
