// The Kafka source on its own against a real broker (deploy/local/kafka), with a recording
// SourceContext: ordering, the in-flight bound, commits that never pass an unfinished event,
// backpressure, and binary CloudEvents (kafkajs hands headers over as Buffers) passing through intact.
import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaSourceSchema } from '../../src/config/source-schemas.js';
import type { DeadLetter } from '../../src/delivery/dead-letter.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventToKafkaRecord } from '../../src/events/kafka-binding.js';
import { KafkaSource } from '../../src/sources/kafka.js';
import type { SourceContext } from '../../src/sources/source.js';
import { connectKafkaTestClients, KAFKA_BROKER, kafkaAvailable, type KafkaTestClients } from './kafka-broker.js';

const kafkaUp = await kafkaAvailable('Kafka source tests');

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Delivery {
  event: LiveEvent;
  partition: number;
  offset: number;
}

/** Records deliveries; `settle` decides when each one completes (default: after a few ms). */
class RecordingContext implements SourceContext {
  readonly deliveries: Delivery[] = [];
  readonly deadLetters: Array<Omit<DeadLetter, 'time'>> = [];
  readonly maxConcurrentByPartition = new Map<number, number>();
  private readonly concurrent = new Map<number, number>();
  gate: Promise<void> | undefined;
  settle: (delivery: Delivery) => Promise<void> = () => sleep(2);

  deliver(event: LiveEvent): Promise<void> {
    const delivery = {
      event,
      partition: event.knativekafkapartition as number,
      offset: event.knativekafkaoffset as number,
    };
    this.deliveries.push(delivery);
    const now = (this.concurrent.get(delivery.partition) ?? 0) + 1;
    this.concurrent.set(delivery.partition, now);
    this.maxConcurrentByPartition.set(
      delivery.partition,
      Math.max(now, this.maxConcurrentByPartition.get(delivery.partition) ?? 0),
    );
    return this.settle(delivery).then(
      () => void this.concurrent.set(delivery.partition, this.concurrent.get(delivery.partition)! - 1),
    );
  }

  capacity(): Promise<void> | undefined {
    return this.gate;
  }

  deadLetter(letter: Omit<DeadLetter, 'time'>): void {
    this.deadLetters.push(letter);
  }
}

describe.skipIf(!kafkaUp)('Kafka source on a real broker', () => {
  const run = randomUUID().slice(0, 8);
  const created: string[] = [];
  let clients: KafkaTestClients | undefined;
  let admin: Admin;
  let producer: Producer;
  let source: KafkaSource | undefined;

  beforeAll(async () => {
    clients = await connectKafkaTestClients('livepipe-kafka-source-test');
    ({ admin, producer } = clients);
  });

  afterAll(async () => {
    await source?.stop();
    await clients?.close(created);
  });

  async function topic(name: string, partitions: number): Promise<string> {
    const full = `lp-kafka-source-${name}-${run}`;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: full, numPartitions: partitions }] });
    created.push(full);
    return full;
  }

  /** `count` binary CloudEvents spread over partitions by key; ids e-0 … e-(count-1). */
  async function produceEvents(topicName: string, count: number, partitions: number): Promise<void> {
    const messages = Array.from({ length: count }, (_, index) => ({
      ...cloudEventToKafkaRecord({
        specversion: '1.0',
        id: `e-${index}`,
        source: '/test',
        type: 'live.like',
        data: { index },
      }),
      partition: index % partitions,
    }));
    await producer.send({ topic: topicName, messages });
  }

  function startSource(
    name: string,
    topics: string[],
    options: Record<string, unknown>,
    context: SourceContext,
  ): Promise<void> {
    source = new KafkaSource(
      name,
      kafkaSourceSchema.parse({
        brokers: [KAFKA_BROKER],
        topics,
        consumerGroup: `lp-${name}-${run}`,
        initialOffset: 'earliest',
        ...options,
      }),
    );
    return source.start(context);
  }

  async function committed(group: string, topicName: string): Promise<Map<number, string>> {
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topicName] });
    return new Map(entry!.partitions.map((partition) => [partition.partition, partition.offset]));
  }

  it('passes a binary CloudEvent through unchanged: id, type, source, time, extensions and data', async () => {
    const name = await topic('passthrough', 1);
    const original: LiveEvent = {
      specversion: '1.0',
      id: 'gift-42',
      source: '/live/streams/stream-7',
      type: 'live.gift',
      subject: 'viewer/v9',
      time: '2024-05-01T12:00:00.000Z',
      datacontenttype: 'application/json',
      stream: 'stream-7',
      tenant: 'acme',
      data: { gift: { name: 'rocket', value: 500 } },
    };
    await producer.send({ topic: name, messages: [cloudEventToKafkaRecord(original)] });
    const context = new RecordingContext();
    await startSource('passthrough', [name], {}, context);
    await waitFor(() => context.deliveries.length >= 1);
    await source!.stop();
    const event = context.deliveries[0]!.event;
    const { ingesttime, knativekafkapartition, knativekafkaoffset, ...attributes } = event;
    expect(attributes).toEqual(original);
    expect([knativekafkapartition, knativekafkaoffset]).toEqual([0, 0]);
    // No ingesttime on the record: the broker timestamp becomes it.
    expect(typeof ingesttime).toBe('number');
    expect(Math.abs((ingesttime as number) - Date.now())).toBeLessThan(60_000);
    expect(context.deadLetters).toEqual([]);
  }, 60_000);

  it('delivers one event at a time per partition, in offset order, when ordering is ordered', async () => {
    const name = await topic('ordered', 3);
    await produceEvents(name, 150, 3);
    const context = new RecordingContext();
    context.settle = () => sleep(1 + Math.random() * 3);
    await startSource('ordered', [name], { ordering: 'ordered' }, context);
    await waitFor(() => context.deliveries.length >= 150);
    await source!.stop();
    expect(context.deliveries.length).toBe(150);
    for (const partition of [0, 1, 2]) {
      const offsets = context.deliveries
        .filter((delivery) => delivery.partition === partition)
        .map((delivery) => delivery.offset);
      expect(offsets).toEqual(Array.from({ length: 50 }, (_, index) => index));
      expect(context.maxConcurrentByPartition.get(partition)).toBe(1);
    }
    expect(await committed(`lp-ordered-${run}`, name)).toEqual(
      new Map([
        [0, '50'],
        [1, '50'],
        [2, '50'],
      ]),
    );
  }, 60_000);

  it('keeps at most maxInFlight events of a partition in flight when unordered', async () => {
    const name = await topic('inflight', 2);
    await produceEvents(name, 200, 2);
    const context = new RecordingContext();
    context.settle = () => sleep(10);
    await startSource('inflight', [name], { ordering: 'unordered', maxInFlight: 4 }, context);
    await waitFor(() => context.deliveries.length >= 200);
    await source!.stop();
    expect(new Set(context.deliveries.map((delivery) => delivery.event.id)).size).toBe(200);
    for (const partition of [0, 1]) {
      expect(context.maxConcurrentByPartition.get(partition)).toBeLessThanOrEqual(4);
      expect(context.maxConcurrentByPartition.get(partition)).toBeGreaterThan(1);
    }
  }, 60_000);

  it('never commits past an event that is still being delivered, even when later ones completed', async () => {
    const name = await topic('held', 1);
    await produceEvents(name, 100, 1);
    const context = new RecordingContext();
    context.settle = (delivery) => (delivery.offset === 40 ? new Promise<void>(() => undefined) : sleep(1));
    await startSource(
      'held',
      [name],
      { ordering: 'unordered', maxInFlight: 200, commitInterval: '20ms', drainTimeout: '200ms' },
      context,
    );
    await waitFor(() => context.deliveries.length >= 100);
    await sleep(300);
    expect((await committed(`lp-held-${run}`, name)).get(0)).toBe('40');
    await source!.stop();
    expect((await committed(`lp-held-${run}`, name)).get(0)).toBe('40');
  }, 60_000);

  it('takes no message while the pipeline has no capacity, and resumes when it has', async () => {
    const name = await topic('backpressure', 1);
    await produceEvents(name, 20, 1);
    const context = new RecordingContext();
    let open!: () => void;
    context.gate = new Promise<void>((resolve) => (open = resolve));
    await startSource('backpressure', [name], {}, context);
    await sleep(1_500);
    expect(context.deliveries.length).toBe(0);
    context.gate = undefined;
    open();
    await waitFor(() => context.deliveries.length >= 20);
    await source!.stop();
    expect(context.deliveries.map((delivery) => delivery.offset).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, index) => index),
    );
  }, 60_000);
});
