// A uri subscriber that always fails, dead-lettered to a real Kafka topic: the record carries the
// event in binary mode with ce_knativeerror* headers. Needs the broker of deploy/local/kafka.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaDeadLetterSink } from '../../src/delivery/dead-letter-sinks.js';
import { DeliveringSink } from '../../src/delivery/delivering-sink.js';
import { DeliveryPolicy } from '../../src/delivery/delivery-policy.js';
import { HttpSubscriberSink } from '../../src/delivery/http-subscriber.js';
import { KAFKA_BROKER, kafkaAvailable } from './kafka-broker.js';

const kafkaUp = await kafkaAvailable('Kafka dead-letter test');

describe.skipIf(!kafkaUp)('dead letters to a Kafka topic', () => {
  const topic = `livepipe-dls-${randomUUID()}`;
  const kafka = new Kafka({ clientId: 'livepipe-dls-test', brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING });
  let server: Server | undefined;
  let sink: DeliveringSink | undefined;

  afterAll(async () => {
    await sink?.close();
    server?.closeAllConnections();
    server?.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('produces the failed event with its knativeerror* headers', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(502).end('bad gateway'));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    sink = new DeliveringSink(new HttpSubscriberSink({ uri }), {
      policy: new DeliveryPolicy({
        retry: 1,
        backoffPolicy: 'linear',
        backoffDelayMs: 5,
        timeoutMs: 2000,
        retryAfterMaxMs: 0,
      }),
      deadLetterSink: new KafkaDeadLetterSink({ brokers: [KAFKA_BROKER], clientId: 'livepipe-dls', topic }, 'test'),
      destination: uri,
      innerEnforcesTimeout: true,
    });
    await sink.start();
    await sink.send({
      specversion: '1.0',
      id: 'kdl-1',
      source: '/live/streams/s9',
      type: 'live.comment',
      stream: 's9',
      data: { text: 'lost?' },
    });
    expect(sink.counts.deadLettered).toBe(1);

    const consumer = kafka.consumer({ groupId: `livepipe-dls-test-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const record = await new Promise<{ key: string | null; value: string; headers: Record<string, string> }>(
      (resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {}))
              if (value !== undefined) headers[name] = value.toString();
            resolve({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
          },
        });
      },
    );
    await consumer.disconnect();
    expect(record.key).toBe('s9');
    expect(JSON.parse(record.value)).toEqual({ text: 'lost?' });
    expect(record.headers).toMatchObject({
      ce_id: 'kdl-1',
      ce_type: 'live.comment',
      ce_knativeerrordest: uri,
      ce_knativeerrorcode: '502',
    });
    expect(Buffer.from(record.headers.ce_knativeerrordata!, 'base64').toString()).toBe('bad gateway');
  }, 60_000);
});
