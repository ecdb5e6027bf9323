// RocketMQSource delivery guarantees on the real local broker: poison messages are dead-lettered
// (with the reason, to the dead-letter topic too) without blocking the rest, and a message whose
// delivery never finished — the pipeline stopped mid-flight — comes back and is delivered.
import rocketmq from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RocketmqSourceSpec } from '../../src/config/schema.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventToRocketmqMessage } from '../../src/events/rocketmq-binding.js';
import { DEAD_LETTER_PROPERTIES, RocketmqSource } from '../../src/sources/rocketmq.js';
import { recordingSourceContext } from '../support/recording-source-context.js';
import {
  createTopic,
  ENDPOINTS,
  quietClientLogger,
  rocketmqAvailable,
  RUN_ID,
  SHARED_TOPIC,
  waitFor,
} from './rocketmq-broker.js';

const { Producer, SimpleConsumer } = rocketmq;
const available = await rocketmqAvailable();

function spec(overrides: Partial<RocketmqSourceSpec>): RocketmqSourceSpec {
  return {
    endpoints: ENDPOINTS,
    namespace: '',
    topic: SHARED_TOPIC,
    consumerGroup: `lp-test-${RUN_ID}`,
    tag: '*',
    invisibleDuration: 10_000,
    batchSize: 16,
    maxInFlight: 64,
    receivers: 2,
    awaitDuration: 3_000,
    drainTimeout: 2_000,
    ...overrides,
  };
}

function interaction(id: string): LiveEvent {
  return {
    specversion: '1.0',
    id,
    source: '/live/streams/test',
    type: 'live.comment',
    stream: 'test',
    datacontenttype: 'application/json',
    data: { text: `comment ${id}` },
  };
}

describe.skipIf(!available)('RocketMQ source delivery', () => {
  const producer = new Producer({
    endpoints: ENDPOINTS,
    namespace: '',
    logger: quietClientLogger,
    topic: SHARED_TOPIC,
  });
  const deadLetterTopic = `lp-dlt-${RUN_ID}`;
  const sources: RocketmqSource[] = [];

  beforeAll(async () => {
    await Promise.all([producer.startup(), createTopic(deadLetterTopic)]);
  });

  afterAll(async () => {
    await Promise.allSettled(sources.map((source) => source.stop()));
    await producer.shutdown();
  });

  function sendEvent(event: LiveEvent, tag: string): Promise<unknown> {
    return producer.send(cloudEventToRocketmqMessage(event, SHARED_TOPIC, { tag }));
  }

  it('dead-letters a poison message with its reason, copies it to the dead-letter topic and delivers the others', async () => {
    const tag = `poison-${RUN_ID}`;
    const poison = await producer.send({
      topic: SHARED_TOPIC,
      tag,
      body: Buffer.from('{"text": "cut off'),
      keys: [`${RUN_ID}-poison`],
      properties: new Map([
        ['content-type', 'application/json'],
        ['origin', 'test'],
      ]),
    });
    await sendEvent(interaction(`${RUN_ID}-good-1`), tag);
    await sendEvent(interaction(`${RUN_ID}-good-2`), tag);

    const { context, delivered, deadLetters } = recordingSourceContext();
    const source = new RocketmqSource(
      'poison-test',
      spec({ tag, consumerGroup: `lp-poison-${RUN_ID}`, deadLetterTopic }),
    );
    sources.push(source);
    await source.start(context);
    await waitFor(() => delivered.length >= 2 && deadLetters.length >= 1 && source.counts.acked >= 3, 30_000);

    expect(delivered.map((event) => event.id).sort()).toEqual([`${RUN_ID}-good-1`, `${RUN_ID}-good-2`]);
    expect(delivered[0]!.data).toEqual({ text: `comment ${delivered[0]!.id}` });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.reason).toBe('decode-error');
    expect(deadLetters[0]!.message).toMatch(/not valid JSON/);
    expect(deadLetters[0]!.raw?.value).toBe('{"text": "cut off');
    expect(deadLetters[0]!.raw?.position).toBe(`${SHARED_TOPIC}/${poison.messageId}`);
    expect(source.counts).toMatchObject({ received: 3, acked: 3, deadLettered: 1, ackFailures: 0 });

    const dltConsumer = new SimpleConsumer({
      endpoints: ENDPOINTS,
      namespace: '',
      logger: quietClientLogger,
      consumerGroup: `lp-dlt-reader-${RUN_ID}`,
      subscriptions: new Map([[deadLetterTopic, '*']]),
      awaitDuration: 3_000,
    });
    await dltConsumer.startup();
    try {
      const copies = [];
      const deadline = Date.now() + 20_000;
      while (copies.length === 0 && Date.now() < deadline) copies.push(...(await dltConsumer.receive(16, 10_000)));
      expect(copies).toHaveLength(1);
      const copy = copies[0]!;
      expect(copy.body.toString()).toBe('{"text": "cut off');
      expect(copy.properties.get(DEAD_LETTER_PROPERTIES.reason)).toBe('decode-error');
      expect(copy.properties.get(DEAD_LETTER_PROPERTIES.message)).toMatch(/not valid JSON/);
      expect(copy.properties.get(DEAD_LETTER_PROPERTIES.messageId)).toBe(poison.messageId);
      expect(copy.properties.get('origin')).toBe('test');
      await dltConsumer.ack(copy);
    } finally {
      await dltConsumer.shutdown();
    }
  }, 60_000);

  it('redelivers a message whose delivery was cut off by a stop, and acknowledges it on the second delivery', async () => {
    const tag = `redeliver-${RUN_ID}`;
    const group = `lp-redeliver-${RUN_ID}`;
    const ids = [`${RUN_ID}-r-1`, `${RUN_ID}-r-2`, `${RUN_ID}-r-3`];
    for (const id of ids) await sendEvent(interaction(id), tag);

    const first = recordingSourceContext({ settle: () => new Promise<void>(() => undefined) });
    const stopped = new RocketmqSource('redeliver-first', spec({ tag, consumerGroup: group, drainTimeout: 300 }));
    sources.push(stopped);
    await stopped.start(first.context);
    await waitFor(() => first.delivered.length >= ids.length, 20_000);
    expect(first.delivered.map((event) => event.id).sort()).toEqual(ids);
    await stopped.stop();
    expect(stopped.counts.acked).toBe(0);
    expect(stopped.counts.abandoned).toBe(ids.length);

    const second = recordingSourceContext();
    const resumed = new RocketmqSource('redeliver-second', spec({ tag, consumerGroup: group }));
    sources.push(resumed);
    await resumed.start(second.context);
    await waitFor(() => resumed.counts.acked >= ids.length, 30_000);
    expect(second.delivered.map((event) => event.id).sort()).toEqual(ids);
    expect(resumed.counts).toMatchObject({ received: ids.length, redelivered: ids.length, acked: ids.length });
  }, 60_000);
});
