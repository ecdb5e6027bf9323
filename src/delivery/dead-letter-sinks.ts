// Where a trigger's dead letters go (delivery.deadLetterSink): an HTTP endpoint (POSTed like any
// subscriber), a Kafka topic (binary-mode records through a kafkajs producer), or, in embedded
// mode, a local JSONL file with one structured CloudEvent per line.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import type { DeadLetterSinkSpec } from '../config/delivery-schema.js';
import type { KafkaConnectionSpec } from '../config/source-schemas.js';
import type { LiveEvent } from '../events/cloudevent.js';
import { serializeStructuredEvent } from '../events/json-format.js';
import { cloudEventToKafkaRecord } from '../events/kafka-binding.js';
import { createKafkaClient } from '../brokers/kafka/kafka-client.js';
import { HttpSubscriberSink } from './http-subscriber.js';
import type { Sink } from './sink.js';

/** Appends each event as one line of JSON (the CloudEvents JSON format) to a file. */
export class FileDeadLetterSink implements Sink {
  readonly name: string;
  readonly path: string;
  private handle: FileHandle | undefined;
  /** Writes are chained so lines never interleave and close() waits for the last one. */
  private tail: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = resolve(path);
    this.name = `file:${this.path}`;
  }

  async start(): Promise<void> {
    if (this.handle) return;
    await mkdir(dirname(this.path), { recursive: true });
    this.handle = await open(this.path, 'a');
  }

  send(event: LiveEvent): Promise<void> {
    const line = `${serializeStructuredEvent(event)}\n`;
    const write = this.tail.then(async () => {
      if (!this.handle) throw new Error(`dead-letter file ${this.path} is not open; start() the sink first`);
      await this.handle.appendFile(line, 'utf8');
    });
    this.tail = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    await this.tail;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

export interface KafkaDeadLetterSpec extends KafkaConnectionSpec {
  topic: string;
}

/** Produces each event to a topic in binary content mode (ce_ headers), keyed like the kafka binding. */
export class KafkaDeadLetterSink implements Sink {
  readonly name: string;
  private readonly spec: KafkaDeadLetterSpec;
  private readonly owner: string;
  private producer: Producer | undefined;

  constructor(spec: KafkaDeadLetterSpec, owner: string) {
    this.spec = spec;
    this.owner = owner;
    this.name = `kafka:${spec.topic}`;
  }

  async start(): Promise<void> {
    if (this.producer) return;
    const producer = createKafkaClient(this.spec, this.owner).producer({
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    this.producer = producer;
  }

  async send(event: LiveEvent): Promise<void> {
    if (!this.producer)
      throw new Error(`dead-letter topic ${this.spec.topic}: producer not connected; start() the sink first`);
    const record = cloudEventToKafkaRecord(event);
    await this.producer.send({
      topic: this.spec.topic,
      acks: -1,
      messages: [{ key: record.key, value: record.value, headers: record.headers }],
    });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }
}

/** Builds the dead-letter sink of `owner` (e.g. `trigger "comments"`), validated here, connected on start(). */
export function createDeadLetterSink(spec: DeadLetterSinkSpec, owner: string, timeoutMs: number): Sink {
  if ('uri' in spec) return new HttpSubscriberSink({ uri: spec.uri, timeoutMs, name: `dead-letter:${spec.uri}` });
  if ('kafka' in spec) {
    const { brokers, clientId, sasl, tls, topic } = spec.kafka;
    return new KafkaDeadLetterSink({ brokers, clientId, sasl, tls, topic }, owner);
  }
  return new FileDeadLetterSink(spec.file);
}
