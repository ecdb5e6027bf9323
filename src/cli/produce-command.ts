// `livepipe produce`: publishes the generator's simulated interactions to a Kafka topic at a set
// rate, as binary or structured CloudEvents or as plain JSON records (Knative's plain-record path),
// to feed a pipeline with a Kafka source (--rocketmq hands over to produce-rocketmq.ts). The
// sequence is seeded, so a run can be replayed.
import { Partitioners, type Message, type Producer } from 'kafkajs';
import { generatorSchema, type GeneratorSpec } from '../config/schema.js';
import { parseDuration } from '../config/duration.js';
import { INGEST_TIME, STREAM, type LiveEvent } from '../events/cloudevent.js';
import { cloudEventToKafkaRecord, cloudEventToStructuredKafkaRecord } from '../events/kafka-binding.js';
import { LivepipeError } from '../errors.js';
import { InteractionSimulator } from '../sources/generator.js';
import { createKafkaClient, kafkaConnectError } from '../brokers/kafka/kafka-client.js';
import { produceToRocketmq } from './produce-rocketmq.js';

export const PRODUCE_MODES = ['binary', 'structured', 'plain'] as const;
export type ProduceMode = (typeof PRODUCE_MODES)[number];

export interface ProduceOptions {
  topic: string;
  brokers: string[];
  /** Mean interactions per second over all streams. */
  rate: number;
  /** Stop after this many records; at least one of count and durationMs is set. */
  count?: number;
  /** Stop after this long (ms). */
  durationMs?: number;
  seed: number;
  streams: number;
  mode: ProduceMode;
  /** Milliseconds between progress lines; 0: none. */
  progressEvery?: number;
  /** Aborting stops producing after the records already handed to the broker. */
  signal?: AbortSignal;
}

export interface ProduceSummary {
  sent: number;
  elapsedMs: number;
  /** Records acknowledged per second over the whole run. */
  ratePerSecond: number;
}

/** Records per produce request at most. */
const MAX_BATCH = 2_000;
const TICK_MS = 10;

/** The simulator spec `produce` uses, so a test can replay the exact sequence (ids included). */
export function produceSimulatorSpec(options: { seed: number; streams: number; rate: number }): GeneratorSpec {
  return generatorSchema.parse({
    seed: options.seed,
    streams: options.streams,
    rate: options.rate,
    randomSurges: { every: 0 },
  });
}

/**
 * The Kafka record of one interaction. Binary and structured modes carry the CloudEvent (without an
 * ingesttime, so the broker timestamp becomes it); plain mode is the data as JSON, keyed by stream.
 */
export function interactionRecord(event: LiveEvent, mode: ProduceMode): Message {
  delete event[INGEST_TIME];
  if (mode === 'binary') return cloudEventToKafkaRecord(event);
  if (mode === 'structured') return cloudEventToStructuredKafkaRecord(event);
  const stream = event[STREAM];
  return {
    key: typeof stream === 'string' ? stream : null,
    value: Buffer.from(JSON.stringify(event.data ?? null), 'utf8'),
  };
}

/** Publishes interactions paced by the simulator's own schedule; resolves once the last one is acknowledged. */
export async function produceInteractions(
  options: ProduceOptions,
  log: (line: string) => void = () => undefined,
): Promise<ProduceSummary> {
  if (options.count === undefined && options.durationMs === undefined) {
    throw new LivepipeError('LP_CONFIG_INVALID', 'produce needs a limit: give --count or --for');
  }
  const kafka = createKafkaClient({ brokers: options.brokers, clientId: 'livepipe-produce' }, 'livepipe produce');
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  try {
    await producer.connect();
  } catch (error) {
    throw kafkaConnectError('livepipe produce', options.brokers, error);
  }
  try {
    return await pace(producer, options, log);
  } finally {
    await producer.disconnect();
  }
}

async function pace(producer: Producer, options: ProduceOptions, log: (line: string) => void): Promise<ProduceSummary> {
  const count = options.count ?? Infinity;
  const duration = options.durationMs ?? Infinity;
  const startedAt = Date.now();
  const simulator = new InteractionSimulator(produceSimulatorSpec(options), { startEpochMs: startedAt });
  let next = simulator.next();
  let sent = 0;
  let lastProgress = startedAt;
  const progressEvery = options.progressEvery ?? 1_000;
  while (sent < count && next.offsetMs < duration && options.signal?.aborted !== true) {
    const elapsed = Date.now() - startedAt;
    const messages: Message[] = [];
    while (
      next.offsetMs <= elapsed &&
      next.offsetMs < duration &&
      sent + messages.length < count &&
      messages.length < MAX_BATCH
    ) {
      messages.push(interactionRecord(next.event, options.mode));
      next = simulator.next();
    }
    if (messages.length > 0) {
      await producer.send({ topic: options.topic, messages });
      sent += messages.length;
    }
    const now = Date.now();
    if (progressEvery > 0 && now - lastProgress >= progressEvery) {
      lastProgress = now;
      log(`produce: ${sent} sent to ${options.topic} (${Math.round((sent * 1000) / Math.max(1, now - startedAt))}/s)`);
    }
    if (messages.length < MAX_BATCH) {
      const wait = Math.min(TICK_MS, Math.max(0, next.offsetMs - (Date.now() - startedAt)));
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  const elapsedMs = Date.now() - startedAt;
  return { sent, elapsedMs, ratePerSecond: (sent * 1000) / Math.max(1, elapsedMs) };
}

export interface ProduceCommandOptions {
  kafka?: string;
  rocketmq?: string;
  /** RocketMQ 5 gRPC proxy, host:port. */
  endpoints?: string;
  brokers?: string;
  rate?: string;
  count?: string;
  for?: string;
  seed?: string;
  streams?: string;
  mode?: string;
}

/** The CLI front: parses the options, prints progress and the summary; returns the exit code. */
export async function produceCommand(
  raw: ProduceCommandOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  signal?: AbortSignal,
): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`livepipe produce: ${message}\n`);
    return 1;
  };
  if ((raw.kafka === undefined) === (raw.rocketmq === undefined))
    return fail('name one topic: --kafka <topic> or --rocketmq <topic>');
  const brokers = (raw.brokers ?? '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (brokers.length === 0 || brokers.some((broker) => !/^[^\s:]+:\d{1,5}$/.test(broker)))
    return fail(`--brokers expects host:port[,host:port…], got "${raw.brokers}"`);
  const rate = Number(raw.rate ?? 1000);
  if (!(rate > 0)) return fail(`--rate expects interactions per second > 0, got "${raw.rate}"`);
  const seed = Number(raw.seed ?? 42);
  if (!Number.isInteger(seed)) return fail(`--seed expects an integer, got "${raw.seed}"`);
  const streams = Number(raw.streams ?? 3);
  if (!Number.isInteger(streams) || streams < 1 || streams > 10_000)
    return fail(`--streams expects an integer 1–10000, got "${raw.streams}"`);
  const mode = (raw.mode ?? 'binary') as ProduceMode;
  if (!PRODUCE_MODES.includes(mode))
    return fail(`--mode expects one of ${PRODUCE_MODES.join(', ')}, got "${raw.mode}"`);
  let durationMs: number | undefined;
  if (raw.for !== undefined) {
    durationMs = parseDuration(raw.for);
    if (durationMs === undefined) return fail(`--for expects a duration such as 30s or 2m, got "${raw.for}"`);
  }
  let count: number | undefined;
  if (raw.count !== undefined) {
    count = Number(raw.count);
    if (!Number.isInteger(count) || count < 1) return fail(`--count expects a positive integer, got "${raw.count}"`);
  } else if (durationMs === undefined) count = 10_000;

  if (raw.rocketmq !== undefined) {
    if (mode !== 'binary') return fail('--mode applies to --kafka only; RocketMQ messages are binary-mode CloudEvents');
    return produceRocketmq(
      raw.rocketmq,
      { endpoints: raw.endpoints, rate, count, durationMs, seed, streams },
      io,
      signal,
    );
  }
  const topic = raw.kafka!;
  const limit = [
    count === undefined ? undefined : `${count} records`,
    raw.for === undefined ? undefined : `for ${raw.for}`,
  ]
    .filter(Boolean)
    .join(' or ');
  io.stdout.write(
    `produce: ${mode} interactions of ${streams} streams (seed ${seed}) → ${topic} at ${brokers.join(',')}, ${rate}/s, ${limit}\n`,
  );
  const summary = await produceInteractions(
    { topic, brokers, rate, count, durationMs, seed, streams, mode, signal },
    (line) => io.stdout.write(`${line}\n`),
  );
  io.stdout.write(
    `produce: done, ${summary.sent} sent in ${(summary.elapsedMs / 1000).toFixed(1)} s (${Math.round(summary.ratePerSecond)}/s achieved)\n`,
  );
  return 0;
}

async function produceRocketmq(
  topic: string,
  options: { endpoints?: string; rate: number; count?: number; durationMs?: number; seed: number; streams: number },
  io: { stdout: NodeJS.WritableStream },
  signal?: AbortSignal,
): Promise<number> {
  io.stdout.write(
    `produce: interactions of ${options.streams} streams (seed ${options.seed}) → RocketMQ ${topic}, ${options.rate}/s\n`,
  );
  const result = await produceToRocketmq({
    topic,
    endpoints: options.endpoints,
    rate: options.rate,
    count: options.count,
    durationMs: options.durationMs,
    generator: { seed: options.seed, streams: options.streams, randomSurges: { every: 0 } },
    signal,
    onProgress: (progress) =>
      io.stdout.write(
        `produce: ${progress.sent} sent to ${topic} (${Math.round((progress.sent * 1000) / Math.max(1, progress.elapsedMs))}/s)\n`,
      ),
  });
  io.stdout.write(
    `produce: done, ${result.sent} sent, ${result.failed} failed in ${(result.elapsedMs / 1000).toFixed(1)} s (${Math.round(result.ratePerSecond)}/s achieved)\n`,
  );
  if (result.firstError !== undefined) io.stdout.write(`produce: first error: ${result.firstError}\n`);
  return result.failed === 0 ? 0 : 1;
}
