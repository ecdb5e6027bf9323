// The RocketMQ 5 source: a SimpleConsumer on the gRPC proxy, at-least-once. Each received message
// becomes a CloudEvent (events/rocketmq-binding.ts) and is acknowledged only once the pipeline has
// delivered it; an unacknowledged message reappears after its invisible duration.
import rocketmq from 'rocketmq-client-nodejs';
import type {
  MessageView,
  Producer as RocketmqProducer,
  SimpleConsumer as RocketmqConsumer,
} from 'rocketmq-client-nodejs';
import { isUtf8 } from 'node:buffer';
import type { Logger } from 'pino';
import type { RocketmqSourceSpec } from '../config/schema.js';
import { LivepipeError, messageOf } from '../errors.js';
import type { LiveEvent } from '../events/cloudevent.js';
import { isCloudEventDecodeError } from '../events/cloudevent-decode-error.js';
import { createRocketmqMessageDecoder, type RocketmqMessageDecoder } from '../events/rocketmq-binding.js';
import { rocketmqClientLogger, rocketmqLogger } from '../brokers/rocketmq/client-logger.js';
import type { Source, SourceContext } from './source.js';

const { Producer, SimpleConsumer } = rocketmq;

/** What happened to the messages so far; every message that was not delivered is counted by why. */
export interface RocketmqSourceCounts {
  received: number;
  /** Received with deliveryAttempt > 1: the broker handed them out again (not acknowledged in time). */
  redelivered: number;
  /** Delivered by the pipeline and acknowledged. */
  acked: number;
  /** Poison messages (undecodable or corrupted), dead-lettered and acknowledged. */
  deadLettered: number;
  /** Acknowledgements the proxy refused: those messages come back (at-least-once). */
  ackFailures: number;
  /** Invisible-duration extensions for deliveries that took long. */
  extensions: number;
  /** Received after stop() began, or still in delivery when the drain timed out: left to come back. */
  abandoned: number;
}

export interface RocketmqSourceOptions {
  logger?: Logger;
}

/** Properties a dead-letter-topic message carries besides the original ones. */
export const DEAD_LETTER_PROPERTIES = {
  reason: 'livepipe-deadletter-reason',
  message: 'livepipe-deadletter-message',
  topic: 'livepipe-source-topic',
  messageId: 'livepipe-source-message-id',
} as const;

const RECEIVE_RETRY_MS = 1_000;

interface InFlight {
  view: MessageView;
  /** When the message's invisibility was last set (received or extended), epoch ms. */
  renewedAt: number;
  /** A running changeInvisibleDuration: its new receipt handle must land before the ack. */
  renewing: Promise<void> | undefined;
}

export class RocketmqSource implements Source {
  readonly name: string;
  private readonly spec: RocketmqSourceSpec;
  private readonly decode: RocketmqMessageDecoder;
  private readonly logger: Logger;
  private consumer: RocketmqConsumer | undefined;
  private deadLetterProducer: RocketmqProducer | undefined;
  private context: SourceContext | undefined;
  private readonly inFlight = new Map<MessageView, InFlight>();
  /** Slots held by receive calls that have not returned yet. */
  private reserved = 0;
  private readonly settled = new Set<Promise<void>>();
  private stopping = false;
  private started = false;
  private stopWake: (() => void) | undefined;
  private readonly stopSignal: Promise<void>;
  private roomWaiters: Array<() => void> = [];
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly countsValue: RocketmqSourceCounts = {
    received: 0,
    redelivered: 0,
    acked: 0,
    deadLettered: 0,
    ackFailures: 0,
    extensions: 0,
    abandoned: 0,
  };

  constructor(name: string, spec: RocketmqSourceSpec, options: RocketmqSourceOptions = {}) {
    this.name = name;
    this.spec = spec;
    this.decode = createRocketmqMessageDecoder({ endpoints: spec.endpoints, namespace: spec.namespace });
    if (spec.maxInFlight < spec.batchSize) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `source "${name}": rocketmq.maxInFlight (${spec.maxInFlight}) is below batchSize (${spec.batchSize}); raise maxInFlight or lower batchSize`,
      );
    }
    this.logger = options.logger ?? rocketmqLogger(`livepipe-rocketmq-source:${name}`);
    this.stopSignal = new Promise((resolve) => (this.stopWake = resolve));
  }

  get counts(): Readonly<RocketmqSourceCounts> {
    return this.countsValue;
  }

  /** Messages received and not yet acknowledged (or dead-lettered). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  async start(context: SourceContext): Promise<void> {
    if (this.started) throw new LivepipeError('LP_PIPELINE_STATE', `source "${this.name}" was already started`);
    this.started = true;
    this.context = context;
    const spec = this.spec;
    const common = {
      endpoints: spec.endpoints,
      namespace: spec.namespace,
      logger: rocketmqClientLogger(this.logger, () => this.stopping),
    };
    const consumer = new SimpleConsumer({
      ...common,
      consumerGroup: spec.consumerGroup,
      subscriptions: new Map([[spec.topic, spec.tag]]),
      awaitDuration: spec.awaitDuration,
    });
    try {
      await consumer.startup();
      if (spec.deadLetterTopic !== undefined) {
        const producer = new Producer({ ...common, topic: spec.deadLetterTopic });
        this.deadLetterProducer = producer;
        await producer.startup();
      }
    } catch (error) {
      await Promise.allSettled([consumer.shutdown(), this.deadLetterProducer?.shutdown()]);
      const topics =
        spec.deadLetterTopic === undefined
          ? `topic "${spec.topic}"`
          : `topics "${spec.topic}" and "${spec.deadLetterTopic}"`;
      throw new LivepipeError(
        'LP_BROKER_UNAVAILABLE',
        `source "${this.name}": cannot reach the RocketMQ proxy at ${spec.endpoints} or ${topics} does not exist (${messageOf(error)}). Start a local broker with \`npm run brokers:rocketmq\` and create topics with \`bash deploy/local/rocketmq topic <name> NORMAL\`.`,
        { cause: error },
      );
    }
    this.consumer = consumer;
    // Deliveries that outlive half the invisible duration get it extended, so a slow pipeline
    // does not cause the broker to hand the same message to another consumer meanwhile.
    const period = Math.max(500, Math.floor(spec.invisibleDuration / 3));
    this.renewTimer = setInterval(() => this.renewSlowDeliveries(), period);
    this.renewTimer.unref();
    for (let i = 0; i < spec.receivers; i++) void this.receiveLoop(consumer);
  }

  /**
   * Stops receiving, waits up to drainTimeout for deliveries in flight (and their acks), then
   * shuts the consumer down. Messages still unacknowledged come back after invisibleDuration.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopWake?.();
    this.wakeRoomWaiters();
    if (!this.consumer) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(true), this.spec.drainTimeout)),
    );
    const drained = (async () => {
      while (this.settled.size > 0) await Promise.allSettled([...this.settled]);
      return false;
    })();
    const gaveUp = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    clearInterval(this.renewTimer);
    if (gaveUp && this.inFlight.size > 0) {
      this.countsValue.abandoned += this.inFlight.size;
      this.logger.warn(
        { source: this.name, unacknowledged: this.inFlight.size },
        `stopped with deliveries still running after ${this.spec.drainTimeout} ms; those messages return after invisibleDuration`,
      );
    }
    await Promise.allSettled([this.consumer.shutdown(), this.deadLetterProducer?.shutdown()]);
  }

  private async receiveLoop(consumer: RocketmqConsumer): Promise<void> {
    const spec = this.spec;
    const context = this.context!;
    while (!this.stopping) {
      const capacity = context.capacity();
      if (capacity !== undefined) {
        await Promise.race([capacity, this.stopSignal]);
        continue;
      }
      const room = spec.maxInFlight - this.inFlight.size - this.reserved;
      if (room <= 0) {
        await Promise.race([new Promise<void>((resolve) => this.roomWaiters.push(resolve)), this.stopSignal]);
        continue;
      }
      const want = Math.min(spec.batchSize, room);
      this.reserved += want;
      let views: MessageView[];
      try {
        views = await consumer.receive(want, spec.invisibleDuration);
      } catch (error) {
        if (this.stopping) return;
        this.logger.warn(
          { source: this.name, err: messageOf(error) },
          `receive from ${spec.topic} failed; retrying in ${RECEIVE_RETRY_MS} ms`,
        );
        await Promise.race([sleep(RECEIVE_RETRY_MS), this.stopSignal]);
        continue;
      } finally {
        this.reserved -= want;
      }
      if (this.stopping) {
        // Not handed on: the pipeline is stopping. The broker hands them out again later.
        this.countsValue.abandoned += views.length;
        return;
      }
      const now = Date.now();
      for (const view of views) this.handle(view, now);
    }
  }

  private handle(view: MessageView, now: number): void {
    this.countsValue.received++;
    if ((view.deliveryAttempt ?? 1) > 1) this.countsValue.redelivered++;
    const entry: InFlight = { view, renewedAt: now, renewing: undefined };
    this.inFlight.set(view, entry);
    let work: Promise<void>;
    if (view.corrupted) {
      work = this.poison(entry, 'corrupted-message', 'the message body failed its checksum');
    } else {
      let event: LiveEvent;
      try {
        event = this.decode(view);
      } catch (error) {
        // Only CloudEventDecodeError is expected; anything else is still this message's fault.
        work = this.poison(
          entry,
          'decode-error',
          isCloudEventDecodeError(error) ? error.message : `unexpected decode failure: ${messageOf(error)}`,
        );
        this.track(work);
        return;
      }
      const delivered = this.context!.deliver(event);
      work = delivered === undefined ? this.ack(entry) : delivered.then(() => this.ack(entry));
    }
    this.track(work);
  }

  private track(work: Promise<void>): void {
    this.settled.add(work);
    void work.finally(() => this.settled.delete(work));
  }

  /** Poison input: kept and counted by the pipeline, copied to the dead-letter topic, then acknowledged. */
  private async poison(entry: InFlight, reason: string, message: string): Promise<void> {
    const view = entry.view;
    const headers: Record<string, string> = {};
    for (const [name, value] of view.properties) headers[name] = value;
    if (view.tag !== undefined) headers.TAGS = view.tag;
    this.context!.deadLetter({
      reason,
      message,
      destination: `source:${this.name}`,
      raw: {
        key: view.keys.length > 0 ? view.keys.join(' ') : null,
        value: isUtf8(view.body) ? view.body.toString('utf8') : view.body.toString('base64'),
        headers,
        position: `${view.topic}/${view.messageId}`,
      },
    });
    this.countsValue.deadLettered++;
    if (this.deadLetterProducer !== undefined) {
      const properties = new Map(view.properties);
      properties.set(DEAD_LETTER_PROPERTIES.reason, reason);
      properties.set(DEAD_LETTER_PROPERTIES.message, message);
      properties.set(DEAD_LETTER_PROPERTIES.topic, view.topic);
      properties.set(DEAD_LETTER_PROPERTIES.messageId, view.messageId);
      try {
        await this.deadLetterProducer.send({
          topic: this.spec.deadLetterTopic!,
          body: view.body,
          tag: view.tag,
          keys: [...view.keys],
          properties,
        });
      } catch (error) {
        // Not acknowledged: the message comes back and is dead-lettered again (at-least-once).
        this.logger.error(
          { source: this.name, messageId: view.messageId, err: messageOf(error) },
          `could not copy a poison message to dead-letter topic ${this.spec.deadLetterTopic}; it will be retried`,
        );
        this.release(entry);
        return;
      }
    }
    await this.ack(entry);
  }

  private async ack(entry: InFlight): Promise<void> {
    try {
      if (entry.renewing !== undefined) await entry.renewing;
      await this.consumer!.ack(entry.view);
      this.countsValue.acked++;
    } catch (error) {
      this.countsValue.ackFailures++;
      this.logger.warn(
        { source: this.name, messageId: entry.view.messageId, err: messageOf(error) },
        'acknowledgement refused; the message will be delivered again',
      );
    } finally {
      this.release(entry);
    }
  }

  private release(entry: InFlight): void {
    this.inFlight.delete(entry.view);
    if (this.roomWaiters.length > 0) this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  private renewSlowDeliveries(): void {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    const now = Date.now();
    const due = this.spec.invisibleDuration / 2;
    for (const entry of this.inFlight.values()) {
      if (entry.renewing !== undefined || now - entry.renewedAt < due) continue;
      entry.renewing = consumer
        .changeInvisibleDuration(entry.view, this.spec.invisibleDuration)
        .then(
          () => {
            entry.renewedAt = Date.now();
            this.countsValue.extensions++;
          },
          (error: unknown) => {
            this.logger.warn(
              { source: this.name, messageId: entry.view.messageId, err: messageOf(error) },
              'could not extend the invisible duration of a slow delivery; it may be delivered twice',
            );
          },
        )
        .finally(() => (entry.renewing = undefined));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
