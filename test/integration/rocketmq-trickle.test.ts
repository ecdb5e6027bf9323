// RocketmqSource at a trickle on the real local broker: every message reaches the pipeline about
// as soon as the broker has it, never held back for a whole long poll (awaitDuration) because a
// receive asked for a batch larger than what is there, or because receivers wait on empty queues.
import rocketmq from 'rocketmq-client-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RocketmqSourceSpec } from '../../src/config/schema.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventToRocketmqMessage } from '../../src/events/rocketmq-binding.js';
import { RocketmqSource } from '../../src/sources/rocketmq.js';
import type { SourceContext } from '../../src/sources/source.js';
import { ENDPOINTS, quietClientLogger, rocketmqAvailable, RUN_ID, SHARED_TOPIC, waitFor } from './rocketmq-broker.js';

const { Producer } = rocketmq;
const available = await rocketmqAvailable();

const MESSAGES = 50;
const SPACING_MS = 20;
/** The default long poll: a receive that waited it out for a fuller batch would hold a message this long. */
const AWAIT_DURATION_MS = 5_000;
/**
 * Latency bound for every message (send start → deliver). A bare SimpleConsumer sees a message
 * ~10 ms after the send on this broker; a message held for a long poll arrives after up to
 * AWAIT_DURATION_MS (≥ 3 s even at the shortest poll the proxy allows). 1.5 s is far above the
 * first on a busy shared machine and well below the second: it checks that nothing waits for a
 * long poll to end, not how fast the source is.
 */
const HELD_BACK_BOUND_MS = 1_500;

function interaction(id: string): LiveEvent {
  return {
    specversion: '1.0',
    id,
    source: '/live/streams/test',
    type: 'live.comment',
    stream: 'test',
    datacontenttype: 'application/json',
    data: { text: id },
  };
}

describe.skipIf(!available)('RocketMQ source at a trickle', () => {
  const producer = new Producer({
    endpoints: ENDPOINTS,
    namespace: '',
    logger: quietClientLogger,
    topic: SHARED_TOPIC,
  });
  let source: RocketmqSource | undefined;

  beforeAll(async () => {
    await producer.startup();
  });

  afterAll(async () => {
    await source?.stop();
    await producer.shutdown();
  });

  it('hands every message of a slow, steady stream to the pipeline without holding it for a long poll', async () => {
    const tag = `trickle-${RUN_ID}`;
    const sentAt = new Map<string, number>();
    const latencies = new Map<string, number>();
    let warmedUp = false;
    const context: SourceContext = {
      deliver(event) {
        const sent = sentAt.get(event.id);
        if (event.id.startsWith('warm-')) warmedUp = true;
        else if (sent !== undefined) latencies.set(event.id, Date.now() - sent);
        return Promise.resolve();
      },
      capacity: () => undefined,
      deadLetter: () => undefined,
    };
    const send = (id: string): Promise<unknown> => {
      sentAt.set(id, Date.now());
      return producer.send(cloudEventToRocketmqMessage(interaction(id), SHARED_TOPIC, { tag }));
    };
    const spec: RocketmqSourceSpec = {
      endpoints: ENDPOINTS,
      namespace: '',
      topic: SHARED_TOPIC,
      consumerGroup: `lp-trickle-${RUN_ID}`,
      tag,
      invisibleDuration: 10_000,
      batchSize: 32,
      maxInFlight: 500,
      receivers: 4,
      awaitDuration: AWAIT_DURATION_MS,
      drainTimeout: 2_000,
    };
    source = new RocketmqSource('trickle-test', spec);
    await source.start(context);

    // A new group's first receives may scan the shared topic's history: measure once one message came through.
    for (let i = 0; i < 100 && !warmedUp; i++) {
      await send(`warm-${RUN_ID}-${i}`);
      await waitFor(() => warmedUp, 200);
    }
    expect(warmedUp).toBe(true);

    const ids = Array.from({ length: MESSAGES }, (_, i) => `${RUN_ID}-trickle-${i}`);
    const sends: Array<Promise<unknown>> = [];
    for (const id of ids) {
      sends.push(send(id));
      await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
    }
    await Promise.all(sends);
    await waitFor(() => latencies.size >= MESSAGES, 3 * AWAIT_DURATION_MS);

    expect(ids.filter((id) => !latencies.has(id))).toEqual([]);
    const heldBack = ids
      .filter((id) => latencies.get(id)! > HELD_BACK_BOUND_MS)
      .map((id) => `${id}: ${latencies.get(id)} ms`);
    expect(heldBack).toEqual([]);
    await waitFor(() => source!.counts.acked >= source!.counts.received, 5_000);
    expect(source.counts.ackFailures).toBe(0);
  }, 60_000);
});
