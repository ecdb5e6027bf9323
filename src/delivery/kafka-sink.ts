// A trigger subscriber that writes events to a Kafka topic in CloudEvents binary content mode.
// Events sent within the linger window share one produce request; each send() resolves only
// once the broker acknowledged its record (idempotent producer, acks from all in-sync replicas).
import { Partitioners, type Message, type Producer } from 'kafkajs';
import type { KafkaSinkSpec } from '../config/source-schemas.js';
import type { LiveEvent } from '../events/cloudevent.js';
import { cloudEventToKafkaRecord } from '../events/kafka-binding.js';
import { LivepipeError } from '../errors.js';
import { createKafkaClient, kafkaConnectError } from '../brokers/kafka/kafka-client.js';
import type { Sink } from './sink.js';

/** Records per produce request at most; a larger backlog goes out in several. */
const MAX_BATCH = 1_000;

interface Pending {
  messages: Message[];
  resolves: Array<() => void>;
  rejects: Array<(error: unknown) => void>;
}

export class KafkaSink implements Sink {
  readonly name: string;
  private readonly spec: KafkaSinkSpec;
  private readonly producer: Producer;
  private pending: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private started = false;
  private closed = false;

  constructor(name: string, spec: KafkaSinkSpec, env: NodeJS.ProcessEnv = process.env) {
    this.name = name;
    this.spec = spec;
    // Idempotence keeps a retried request from writing a record twice; kafkajs needs one request in flight for it.
    this.producer = createKafkaClient(spec, name, env).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    try {
      await this.producer.connect();
    } catch (error) {
      throw kafkaConnectError(this.name, this.spec.brokers, error);
    }
    this.started = true;
  }

  send(event: LiveEvent): Promise<void> {
    if (!this.started || this.closed) {
      return Promise.reject(
        new LivepipeError(
          'LP_PIPELINE_STATE',
          `${this.name} is ${this.closed ? 'closed' : 'not started'}; start() it before sending`,
        ),
      );
    }
    const record = cloudEventToKafkaRecord(event);
    return new Promise<void>((resolve, reject) => {
      const pending = (this.pending ??= { messages: [], resolves: [], rejects: [] });
      pending.messages.push(record);
      pending.resolves.push(resolve);
      pending.rejects.push(reject);
      if (pending.messages.length >= MAX_BATCH) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.spec.linger);
    });
  }

  /** Sends what is pending, then disconnects once every request has its answer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    await Promise.allSettled([...this.inFlight]);
    if (this.started) await this.producer.disconnect();
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending;
    if (batch === undefined) return;
    this.pending = undefined;
    const request = this.producer.send({ topic: this.spec.topic, messages: batch.messages }).then(
      () => {
        for (const resolve of batch.resolves) resolve();
      },
      (error: unknown) => {
        for (const reject of batch.rejects) reject(error);
      },
    );
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }
}
