// A pipeline fed from a real Kafka broker (deploy/local/kafka): 10,000 binary CloudEvents over four
// partitions reach the overlay (every id, every comment scored), plain records arrive wrapped as
// dev.knative.kafka.event, and poison records are dead-lettered without stopping their partition.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipeline } from '../../src/config/index.js';
import { produceInteractions, produceSimulatorSpec } from '../../src/cli/produce-command.js';
import { cloudEventToKafkaRecord } from '../../src/events/kafka-binding.js';
import { LivePipeline } from '../../src/pipeline.js';
import { InteractionSimulator } from '../../src/sources/generator.js';
import { connectKafkaTestClients, KAFKA_BROKER, kafkaAvailable, type KafkaTestClients } from './kafka-broker.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/kafka/kafka-e2e-pipeline.yaml', import.meta.url));

const kafkaUp = await kafkaAvailable('Kafka pipeline tests');

const EVENTS = 10_000;
const PLAIN_EVENTS = 300;
const SIMULATION = { seed: 11, streams: 12, rate: 50_000 };

async function waitFor(condition: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

function text(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : value.toString();
}

describe.skipIf(!kafkaUp)('pipeline with a Kafka source on a real broker', () => {
  const run = randomUUID().slice(0, 8);
  const topics = {
    main: `lp-kafka-e2e-${run}`,
    plain: `lp-kafka-plain-${run}`,
    poison: `lp-kafka-poison-${run}`,
    dlq: `lp-kafka-dlq-${run}`,
  };
  const group = `lp-kafka-e2e-${run}`;
  let clients: KafkaTestClients | undefined;
  let pipeline: LivePipeline | undefined;
  const seenIds = new Set<string>();
  const scoredCauses = new Set<string>();
  const plainEvents: Array<{ id?: string; type?: string; source?: string; data?: unknown }> = [];
  let startedAt = 0;
  let firstSeenAt = 0;
  let allSeenAt = 0;

  beforeAll(async () => {
    clients = await connectKafkaTestClients('livepipe-kafka-pipeline-test');
    const { admin, producer } = clients;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.main, numPartitions: 4 },
        { topic: topics.plain, numPartitions: 2 },
        { topic: topics.poison, numPartitions: 1 },
        { topic: topics.dlq, numPartitions: 1 },
      ],
    });

    await produceInteractions({
      topic: topics.main,
      brokers: [KAFKA_BROKER],
      count: EVENTS,
      mode: 'binary',
      progressEvery: 0,
      ...SIMULATION,
    });
    await produceInteractions({
      topic: topics.plain,
      brokers: [KAFKA_BROKER],
      count: PLAIN_EVENTS,
      mode: 'plain',
      progressEvery: 0,
      ...SIMULATION,
    });
    const good = (id: string) =>
      cloudEventToKafkaRecord({
        specversion: '1.0',
        id,
        source: '/test/poison',
        type: 'live.join',
        stream: 'stream-1',
        data: { viewer: { id: 'v1' } },
      });
    await producer.send({
      topic: topics.poison,
      messages: [
        good(`before-poison-${run}`),
        { key: 'stream-1', value: Buffer.from('{"text": not json'), headers: { 'content-type': 'application/json' } },
        {
          key: 'stream-1',
          value: Buffer.from('{}'),
          headers: {
            ce_specversion: '1.0',
            ce_type: 'live.join',
            ce_source: '/test/poison',
            'content-type': 'application/json',
          },
        },
        good(`after-poison-${run}`),
      ],
    });

    const yaml = (await readFile(FIXTURE, 'utf8'))
      .replaceAll('__TOPIC__', topics.main)
      .replaceAll('__PLAIN_TOPIC__', topics.plain)
      .replaceAll('__POISON_TOPIC__', topics.poison)
      .replaceAll('__DLQ_TOPIC__', topics.dlq)
      .replaceAll('__GROUP__', group);
    pipeline = new LivePipeline(parsePipeline(yaml, FIXTURE));
    // The overlay's publish is the pipeline's last step; observing it sees every message, however fast.
    const overlay = pipeline.overlay;
    const publish = overlay.publish.bind(overlay);
    overlay.publish = (stream, channel, data) => {
      const message = data as { id?: string; causeid?: string; type?: string; source?: string; data?: unknown };
      if (channel === 'all' && message.id !== undefined) {
        seenIds.add(message.id);
        if (firstSeenAt === 0) firstSeenAt = Date.now();
        if (seenIds.size === EVENTS + 2 && allSeenAt === 0) allSeenAt = Date.now();
      } else if (channel === 'comments' && message.causeid !== undefined) scoredCauses.add(message.causeid);
      else if (channel === 'plain') plainEvents.push(message);
      return publish(stream, channel, data);
    };
    startedAt = Date.now();
    await pipeline.start();
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await clients?.close(Object.values(topics));
  });

  it('delivers every one of 10,000 produced interactions, and a sentiment result for every comment', async () => {
    const simulator = new InteractionSimulator(produceSimulatorSpec(SIMULATION));
    const produced = Array.from({ length: EVENTS }, () => simulator.next().event);
    const comments = produced.filter((event) => event.type === 'live.comment').map((event) => event.id);
    expect(new Set(produced.map((event) => event.id)).size).toBe(EVENTS);
    expect(comments.length).toBeGreaterThan(1000);

    await waitFor(() => produced.every((event) => seenIds.has(event.id)) && scoredCauses.size >= comments.length);
    const missing = produced.filter((event) => !seenIds.has(event.id)).map((event) => event.id);
    expect(missing.slice(0, 10), `${missing.length} produced ids never reached the overlay`).toEqual([]);
    expect([...scoredCauses].sort()).toEqual([...comments].sort());
    if (allSeenAt > 0) {
      const seconds = (allSeenAt - startedAt) / 1000;
      const flowing = (allSeenAt - firstSeenAt) / 1000;
      console.log(
        `kafka e2e: ${EVENTS} interactions from 4 partitions to the overlay in ${seconds.toFixed(2)} s from start (group join included), ${flowing.toFixed(2)} s first to last (${Math.round(EVENTS / flowing)} events/s)`,
      );
    }
  }, 120_000);

  it('wraps plain records as dev.knative.kafka.event with the record value as data', async () => {
    const simulator = new InteractionSimulator(produceSimulatorSpec(SIMULATION));
    const expectedData = Array.from({ length: PLAIN_EVENTS }, () => JSON.stringify(simulator.next().event.data)).sort();
    await waitFor(() => plainEvents.length >= PLAIN_EVENTS);
    expect(plainEvents.map((event) => JSON.stringify(event.data)).sort()).toEqual(expectedData);
    for (const event of plainEvents) {
      expect(event.type).toBe('dev.knative.kafka.event');
      expect(event.source).toBe(`/apis/v1/namespaces/default/kafkasources/kafka-in#${topics.plain}`);
      expect(event.id).toMatch(/^partition:[01]\/offset:\d+$/);
    }
    expect(new Set(plainEvents.map((event) => event.id)).size).toBe(PLAIN_EVENTS);
  }, 120_000);

  it('dead-letters poison records to /deadletters and the dead-letter topic, and keeps reading the partition', async () => {
    await waitFor(() => seenIds.has(`after-poison-${run}`) && pipeline!.deadLetters.count >= 2);
    expect(seenIds.has(`before-poison-${run}`)).toBe(true);
    expect(seenIds.has(`after-poison-${run}`)).toBe(true);

    const body = (await (await fetch(`${pipeline!.overlay.url}/deadletters`)).json()) as {
      total: number;
      recent: Array<{
        reason: string;
        destination: string;
        message: string;
        raw?: { position?: string; value?: string };
      }>;
    };
    const poison = body.recent.filter((letter) => letter.raw?.position?.startsWith(`${topics.poison}/`));
    expect(poison.map((letter) => letter.raw?.position)).toEqual([`${topics.poison}/0@1`, `${topics.poison}/0@2`]);
    for (const letter of poison) {
      expect(letter.reason).toBe('decode-error');
      expect(letter.destination).toBe('source:kafka-in');
    }
    expect(poison[0]!.message).toMatch(/not valid JSON/);
    expect(poison[0]!.raw?.value).toBe('{"text": not json');
    expect(poison[1]!.message).toMatch(/id/);

    const dlq: Array<{ value: string; headers: Record<string, string | undefined> }> = [];
    const reader = clients!.kafka.consumer({ groupId: `lp-dlq-reader-${run}` });
    await reader.connect();
    await reader.subscribe({ topic: topics.dlq, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = text(value);
        dlq.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    await waitFor(() => dlq.length >= 2, 30_000);
    await reader.disconnect();
    // Unordered delivery: the two dead letters may reach the topic in either order.
    dlq.sort((a, b) => a.value.localeCompare(b.value));
    expect(dlq.map((record) => record.value)).toEqual(['{"text": not json', '{}']);
    const letterOf = (value: string) => poison.find((letter) => letter.raw?.value === value)!;
    for (const record of dlq) {
      expect(record.headers.knativeerrorcode).toBe('decode-error');
      expect(record.headers.knativeerrordest).toBe('source:kafka-in');
      expect(Buffer.from(record.headers.knativeerrordata ?? '', 'base64').toString()).toBe(
        letterOf(record.value).message,
      );
    }
    expect(dlq[1]!.headers.ce_type).toBe('live.join');
  }, 120_000);

  it('commits the poison partition past the dead-lettered records once the pipeline stops', async () => {
    await waitFor(() => seenIds.has(`after-poison-${run}`));
    await pipeline!.stop();
    const offsets = await clients!.admin.fetchOffsets({ groupId: group, topics: [topics.poison, topics.main] });
    const poison = offsets.find((entry) => entry.topic === topics.poison)!;
    expect(poison.partitions).toEqual([{ partition: 0, offset: '4', metadata: null }]);
    const main = offsets.find((entry) => entry.topic === topics.main)!;
    const ends = await clients!.admin.fetchTopicOffsets(topics.main);
    expect(ends.filter((end) => end.offset !== '0').length).toBeGreaterThanOrEqual(3);
    for (const end of ends) {
      if (end.offset === '0') continue;
      expect(main.partitions.find((partition) => partition.partition === end.partition)?.offset).toBe(end.offset);
    }
  }, 60_000);
});
