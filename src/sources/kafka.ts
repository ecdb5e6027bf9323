// The Kafka source, with Knative KafkaSource semantics: a consumer group reads the topics, each
// record becomes a CloudEvent (binary/structured pass through, plain records are wrapped), and an
// offset is committed only once every event at or below it was delivered or dead-lettered.
import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import type { KafkaSourceSpec } from '../config/source-schemas.js';
import type { DeadLetter } from '../delivery/dead-letter.js';
import {
  KNATIVE_ERROR_CODE,
  KNATIVE_ERROR_DATA,
  KNATIVE_ERROR_DEST,
  knativeErrorData,
} from '../delivery/knative-error-extensions.js';
import { LivepipeError, messageOf } from '../errors.js';
import type { LiveEvent } from '../events/cloudevent.js';
import { isCloudEventDecodeError } from '../events/cloudevent-decode-error.js';
import { createKafkaRecordDecoder, type KafkaRecord, type KafkaRecordDecoder } from '../events/kafka-binding.js';
import { createKafkaClient, kafkaConnectError, kafkaLog } from '../brokers/kafka/kafka-client.js';
import { OffsetTracker } from './kafka/offset-tracker.js';
import type { Source, SourceContext } from './source.js';

/** Partitions of the assignment consumed at once; each is still read in order. */
const PARTITIONS_CONSUMED_CONCURRENTLY = 8;
/** While waiting (backpressure, a full partition, an ordered delivery) the group must still hear from us. */
const HEARTBEAT_WHILE_WAITING_MS = 1_000;
const HEARTBEAT_EVERY_MESSAGES = 256;
const JOIN_WAIT_MS = 30_000;
const DEAD_LETTER_RETRY_MS = 1_000;
/** Dead letters keep the raw value for inspection; a huge poison record is cut here. */
const RAW_TEXT_LIMIT = 8_192;

/** One assigned partition in one group generation: its offsets in flight and what is committed. */
interface PartitionProgress {
  readonly topic: string;
  readonly partition: number;
  readonly tracker: OffsetTracker;
  committed: number;
  /** Set when the generation ended (rebalance): no new messages, no commits from this object. */
  revoked: boolean;
  slotFree: (() => void) | undefined;
}

export class KafkaSource implements Source {
  readonly name: string;
  private readonly spec: KafkaSourceSpec;
  private readonly kafka: Kafka;
  private readonly decode: KafkaRecordDecoder;
  private readonly destination: string;
  private readonly ordered: boolean;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private context: SourceContext | undefined;
  private progress = new Map<string, PartitionProgress>();
  private stopping = false;
  /** consumer.run() returned: only then can kafkajs pause the consumer. */
  private running = false;
  private stopped: Promise<void> | undefined;
  private readonly stopSignal: Promise<void>;
  private signalStop!: () => void;
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private inFlight = 0;
  private drained: (() => void) | undefined;

  constructor(name: string, spec: KafkaSourceSpec, env: NodeJS.ProcessEnv = process.env) {
    this.name = name;
    this.spec = spec;
    this.destination = `source:${name}`;
    this.ordered = spec.ordering === 'ordered';
    this.decode = createKafkaRecordDecoder({ namespace: spec.namespace, name, keyType: spec.keyType });
    this.kafka = createKafkaClient(spec, `source "${name}"`, env);
    this.stopSignal = new Promise((resolve) => (this.signalStop = resolve));
  }

  /** Connects, joins the consumer group and starts consuming; resolves once the group is joined. */
  async start(context: SourceContext): Promise<void> {
    if (this.consumer !== undefined)
      throw new LivepipeError('LP_PIPELINE_STATE', `source "${this.name}" is already started`);
    this.context = context;
    const sessionTimeout = this.spec.sessionTimeout;
    const consumer = this.kafka.consumer({
      groupId: this.spec.consumerGroup,
      sessionTimeout,
      heartbeatInterval: Math.max(100, Math.min(3_000, Math.floor(sessionTimeout / 3))),
    });
    this.consumer = consumer;
    let joined!: () => void;
    const joinedOnce = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.newGeneration();
      joined();
    });
    // Best effort before the group moves partitions: whatever completed is committed, the rest re-read.
    consumer.on(consumer.events.REBALANCING, () => void this.commit());
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      kafkaLog().error({ source: this.name, restart: payload.restart, err: payload.error }, 'Kafka consumer crashed');
    });
    try {
      await consumer.connect();
      if (this.spec.deadLetterTopic !== undefined) {
        this.producer = this.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        await this.producer.connect();
      }
      await consumer.subscribe({ topics: this.spec.topics, fromBeginning: this.spec.initialOffset === 'earliest' });
    } catch (error) {
      await this.disconnect();
      throw kafkaConnectError(`source "${this.name}"`, this.spec.brokers, error);
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
    this.running = true;
    this.commitTimer = setInterval(() => void this.commit(), Math.max(1, this.spec.commitInterval));
    this.commitTimer.unref();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      joinedOnce.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), JOIN_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (timedOut)
      kafkaLog().warn(
        { source: this.name, group: this.spec.consumerGroup },
        'consumer group not joined yet; consuming once it is',
      );
  }

  /**
   * Stops taking messages, waits (up to drainTimeout) for deliveries in flight, commits what
   * completed and leaves the group. Anything unfinished is re-read by the next owner.
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopConsuming();
    return this.stopped;
  }

  private async stopConsuming(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    if (this.commitTimer !== undefined) clearInterval(this.commitTimer);
    const consumer = this.consumer;
    if (consumer === undefined) return;
    if (this.running) consumer.pause(this.spec.topics.map((topic) => ({ topic })));
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.drained = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, this.spec.drainTimeout))),
      ]);
      clearTimeout(timer);
      if (this.inFlight > 0) {
        kafkaLog().warn(
          { source: this.name, inFlight: this.inFlight },
          'stopped with deliveries still in flight; their records stay uncommitted and are read again',
        );
      }
    }
    await this.commit();
    await this.disconnect();
  }

  private async disconnect(): Promise<void> {
    await Promise.allSettled([this.consumer?.disconnect(), this.producer?.disconnect()]);
  }

  private newGeneration(): void {
    for (const progress of this.progress.values()) {
      progress.revoked = true;
      progress.slotFree?.();
    }
    // After a (re)join kafkajs reads from the committed offsets, so every partition starts afresh.
    this.progress = new Map();
  }

  private progressOf(topic: string, partition: number): PartitionProgress {
    const key = `${topic}\u0000${partition}`;
    let progress = this.progress.get(key);
    if (progress === undefined) {
      progress = { topic, partition, tracker: new OffsetTracker(), committed: -1, revoked: false, slotFree: undefined };
      this.progress.set(key, progress);
    }
    return progress;
  }

  private async consumeBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const context = this.context!;
    const topic = batch.topic;
    const partition = batch.partition;
    const progress = this.progressOf(topic, partition);
    const tracker = progress.tracker;
    const maxInFlight = this.spec.maxInFlight;
    let sinceHeartbeat = 0;
    for (const message of batch.messages) {
      if (this.stopping || progress.revoked || !isRunning() || isStale()) return;
      const offset = Number(message.offset);
      // A batch fetched again after a failed one repeats offsets already handed on in this generation.
      if (offset <= tracker.lastBegun) {
        resolveOffset(message.offset);
        continue;
      }
      const room = context.capacity();
      if (room !== undefined) {
        await this.waitAlive(room, heartbeat);
        if (this.stopping || progress.revoked) return;
      }
      while (tracker.inFlight >= maxInFlight) {
        await this.waitAlive(new Promise<void>((resolve) => (progress.slotFree = resolve)), heartbeat);
        if (this.stopping || progress.revoked) return;
      }
      tracker.begin(offset);
      this.inFlight++;
      const work = this.handle(context, message, topic, partition);
      if (work === undefined) this.finish(progress, offset);
      else {
        const settled = work.then(
          () => this.finish(progress, offset),
          (error: unknown) => this.abandon(progress, offset, error),
        );
        if (this.ordered) {
          await this.waitAlive(settled, heartbeat);
          if (this.stopping || progress.revoked) return;
          sinceHeartbeat = 0;
        }
      }
      resolveOffset(message.offset);
      if (++sinceHeartbeat >= HEARTBEAT_EVERY_MESSAGES) {
        sinceHeartbeat = 0;
        await heartbeat();
      }
    }
  }

  /** Decodes and delivers one message; the promise settles once it is delivered or dead-lettered. */
  private handle(
    context: SourceContext,
    message: KafkaMessage,
    topic: string,
    partition: number,
  ): Promise<void> | undefined {
    const record: KafkaRecord = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value,
      headers: message.headers ?? {},
      timestamp: message.timestamp,
    };
    let event: LiveEvent;
    try {
      event = this.decode(record);
    } catch (error) {
      return this.deadLetterRecord(context, record, error);
    }
    return context.deliver(event);
  }

  private deadLetterRecord(context: SourceContext, record: KafkaRecord, error: unknown): Promise<void> | undefined {
    const reason = isCloudEventDecodeError(error) ? 'decode-error' : 'source-error';
    const message = messageOf(error);
    context.deadLetter({ reason, message, destination: this.destination, raw: rawOf(record) });
    if (this.producer === undefined) return undefined;
    return this.produceDeadLetter(this.producer, this.spec.deadLetterTopic!, record, reason, message);
  }

  /** Retries until the dead-letter topic has the record: only then may its offset be committed. */
  private async produceDeadLetter(
    producer: Producer,
    topic: string,
    record: KafkaRecord,
    reason: string,
    message: string,
  ): Promise<void> {
    const headers: IHeaders = {
      ...(record.headers as IHeaders),
      // Knative's error extensions as plain headers: a raw record has no CloudEvent to carry them.
      [KNATIVE_ERROR_DEST]: this.destination,
      [KNATIVE_ERROR_CODE]: reason,
      [KNATIVE_ERROR_DATA]: knativeErrorData(Buffer.from(message, 'utf8')),
    };
    for (;;) {
      try {
        await producer.send({
          topic,
          messages: [{ key: record.key, value: record.value, headers, timestamp: record.timestamp }],
        });
        return;
      } catch (error) {
        if (this.stopping) throw error;
        kafkaLog().error(
          { source: this.name, topic, err: error },
          'cannot write to the dead-letter topic; retrying (the record stays uncommitted)',
        );
        await Promise.race([
          this.stopSignal,
          new Promise((resolve) => setTimeout(resolve, DEAD_LETTER_RETRY_MS).unref()),
        ]);
      }
    }
  }

  private finish(progress: PartitionProgress, offset: number): void {
    progress.tracker.complete(offset);
    this.settled(progress);
  }

  /** Not delivered (stopping, or a broken contract): never committed, so the record is read again. */
  private abandon(progress: PartitionProgress, offset: number, error: unknown): void {
    if (!this.stopping) {
      kafkaLog().error(
        { source: this.name, topic: progress.topic, partition: progress.partition, offset, err: error },
        'delivery failed; the offset stays uncommitted',
      );
    }
    this.settled(progress);
  }

  private settled(progress: PartitionProgress): void {
    const slotFree = progress.slotFree;
    if (slotFree !== undefined) {
      progress.slotFree = undefined;
      slotFree();
    }
    if (--this.inFlight === 0 && this.drained !== undefined) this.drained();
  }

  /** Commits every partition's completed prefix; one commit at a time, failures wait for the next tick. */
  private commit(): Promise<void> {
    const previous = this.committing;
    const next = (previous ?? Promise.resolve()).then(() => this.commitCompleted());
    this.committing = next;
    void next.finally(() => {
      if (this.committing === next) this.committing = undefined;
    });
    return next;
  }

  private async commitCompleted(): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    const offsets: Array<{ topic: string; partition: number; offset: string }> = [];
    const committing: Array<[PartitionProgress, number]> = [];
    for (const progress of this.progress.values()) {
      const next = progress.tracker.committable;
      if (next === undefined || next <= progress.committed || progress.revoked) continue;
      offsets.push({ topic: progress.topic, partition: progress.partition, offset: String(next) });
      committing.push([progress, next]);
    }
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
      for (const [progress, next] of committing) progress.committed = Math.max(progress.committed, next);
    } catch (error) {
      // Usually a rebalance under way; the new generation re-reads anything uncommitted.
      kafkaLog().warn({ source: this.name, err: error }, 'offset commit failed; retrying on the next tick');
    }
  }

  /** Awaits `wait` while heartbeating the group; returns early when the source stops. */
  private async waitAlive(wait: Promise<unknown>, heartbeat: () => Promise<void>): Promise<void> {
    let settled = false;
    const done = wait.then(
      () => void (settled = true),
      () => void (settled = true),
    );
    while (!settled && !this.stopping) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        this.stopSignal,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, HEARTBEAT_WHILE_WAITING_MS))),
      ]);
      clearTimeout(timer);
      if (!settled && !this.stopping) await heartbeat();
    }
  }
}

function rawOf(record: KafkaRecord): NonNullable<DeadLetter['raw']> {
  const headers: Record<string, string> = {};
  for (const name in record.headers) {
    const value = record.headers[name];
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return {
    key: record.key === null ? null : clip(String(record.key)),
    value: record.value === null ? null : clip(record.value.toString('utf8')),
    headers,
    position: `${record.topic}/${record.partition}@${record.offset}`,
  };
}

function clip(text: string): string {
  return text.length <= RAW_TEXT_LIMIT ? text : `${text.slice(0, RAW_TEXT_LIMIT)}… (${text.length} characters)`;
}
