// A real Kafka broker (deploy/local/kafka: KRaft, 127.0.0.1:9092) driven with kafkajs: what the
// Kafka source and sink rely on — topic creation, and keys, values and headers surviving a round trip.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, IHeaders, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKafkaTestClients, kafkaAvailable, type KafkaTestClients } from './kafka-broker.js';

const kafkaUp = await kafkaAvailable('Kafka broker tests');

interface ReceivedRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    text[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return text;
}

describe.skipIf(!kafkaUp)('Kafka broker on 127.0.0.1:9092', () => {
  const topic = `livepipe-it-${randomUUID()}`;
  let clients: KafkaTestClients | undefined;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    clients = await connectKafkaTestClients('livepipe-brokers-test');
    ({ admin, producer } = clients);
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await clients?.close([topic]);
  });

  it('creates a topic with the requested partition count', async () => {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 2, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics).toHaveLength(1);
    expect(metadata.topics[0]?.partitions.map((partition) => partition.partitionId).sort()).toEqual([0, 1]);
  });

  it('delivers keys, values and headers unchanged, in order within a partition', async () => {
    const sent = [
      { key: 'stream-1', value: '{"text":"hello"}', headers: { ce_type: 'live.comment', ce_id: 'a-1' } },
      { key: 'stream-2', value: '{"text":"gift"}', headers: { ce_type: 'live.gift', ce_id: 'b-1' } },
      { key: 'stream-1', value: '{"text":"second"}', headers: { ce_type: 'live.comment', ce_id: 'a-2' } },
      { key: 'stream-1', value: 'žluťoučký kůň 🐎', headers: { ce_type: 'live.comment', ce_id: 'a-3' } },
    ];
    await producer.send({ topic, messages: sent });

    const received: ReceivedRecord[] = [];
    consumer = clients!.kafka.consumer({ groupId: `livepipe-it-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const allReceived = new Promise<void>((resolve) => {
      void consumer?.run({
        eachMessage: async ({ partition, message }) => {
          received.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            headers: headersAsText(message.headers),
          });
          if (received.length >= sent.length) resolve();
        },
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`received ${received.length} of ${sent.length} records from ${topic}`)),
        45_000,
      );
    });
    try {
      await Promise.race([allReceived, gaveUp]);
    } finally {
      clearTimeout(timer);
    }

    const byId = new Map(received.map((record) => [record.headers.ce_id, record]));
    for (const record of sent) {
      const got = byId.get(record.headers.ce_id);
      expect(got, `record ${record.headers.ce_id}`).toBeDefined();
      expect(got?.key).toBe(record.key);
      expect(got?.value).toBe(record.value);
      expect(got?.headers).toEqual(record.headers);
    }
    expect(received).toHaveLength(sent.length);

    // One key, one partition: the stream-1 records keep the order they were sent in.
    const stream1 = received.filter((record) => record.key === 'stream-1');
    expect(new Set(stream1.map((record) => record.partition)).size).toBe(1);
    expect(stream1.map((record) => record.headers.ce_id)).toEqual(['a-1', 'a-2', 'a-3']);
  });
});
