// RocketMQ → pipeline → overlay on the real local broker: 10,000 interactions produced by
// `produceToRocketmq` into a fresh topic (a backlog, then the pipeline starts) must all reach the
// overlay, and every comment its score.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produceToRocketmq, type ProduceToRocketmqResult } from '../../src/cli/produce-rocketmq.js';
import { loadPipeline } from '../../src/config/index.js';
import { LivePipeline } from '../../src/pipeline.js';
import { createTopic, ENDPOINTS, rocketmqAvailable, RUN_ID, waitFor } from './rocketmq-broker.js';

const PIPELINE_FILE = fileURLToPath(new URL('../fixtures/e2e/rocketmq-pipeline.yaml', import.meta.url));
const COUNT = 10_000;
const available = await rocketmqAvailable();

describe.skipIf(!available)('RocketMQ source end to end', () => {
  const topic = `lp-e2e-${RUN_ID}`;
  let pipeline: LivePipeline;
  const seenOnAll = new Set<string>();
  const scoredCauses = new Set<string>();
  const producedIds: string[] = [];
  const producedComments: string[] = [];
  let produced: ProduceToRocketmqResult;
  let startedAt = 0;
  let lastSeenAt = 0;

  beforeAll(async () => {
    await createTopic(topic);
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('delivers every one of 10,000 produced interactions to the overlay, and scores every comment', async () => {
    produced = await produceToRocketmq({
      topic,
      endpoints: ENDPOINTS,
      rate: Infinity,
      count: COUNT,
      idPrefix: `${RUN_ID}-`,
      generator: { seed: 11, streams: 3, randomSurges: { every: 0 } },
      onSent: (event) => {
        producedIds.push(event.id);
        if (event.type === 'live.comment') producedComments.push(event.id);
      },
    });
    expect(produced.failed, produced.firstError).toBe(0);
    expect(produced.sent).toBe(COUNT);
    expect(new Set(producedIds).size).toBe(COUNT);

    const spec = await loadPipeline(PIPELINE_FILE);
    const source = spec.sources[0]!.rocketmq!;
    source.topic = topic;
    source.consumerGroup = `lp-e2e-group-${RUN_ID}`;
    pipeline = new LivePipeline(spec);
    // Every overlay publish is seen here, whichever room (stream) it goes to.
    const publish = pipeline.overlay.publish.bind(pipeline.overlay);
    pipeline.overlay.publish = (stream, channel, data) => {
      const payload = data as { id?: string; causeid?: string };
      if (channel === 'all' && payload.id !== undefined) {
        seenOnAll.add(payload.id);
        lastSeenAt = Date.now();
      }
      if (channel === 'comments' && payload.causeid !== undefined) scoredCauses.add(payload.causeid);
      return publish(stream, channel, data);
    };
    startedAt = Date.now();
    await pipeline.start();

    await waitFor(() => seenOnAll.size >= COUNT && scoredCauses.size >= producedComments.length, 50_000);
    const missing = producedIds.filter((id) => !seenOnAll.has(id));
    expect(missing.slice(0, 10), `${missing.length} produced ids never reached the overlay`).toEqual([]);
    expect([...seenOnAll].filter((id) => !id.startsWith(`${RUN_ID}-`))).toEqual([]);
    expect(producedComments.length).toBeGreaterThan(1_000);
    expect(producedComments.filter((id) => !scoredCauses.has(id))).toEqual([]);

    const consumeSeconds = (lastSeenAt - startedAt) / 1000;
    console.log(
      `rocketmq e2e: produced ${produced.sent} in ${(produced.elapsedMs / 1000).toFixed(2)} s (${Math.round(produced.ratePerSecond)}/s); ` +
        `the backlog of ${seenOnAll.size} was on the overlay ${consumeSeconds.toFixed(2)} s after pipeline start (${Math.round(COUNT / consumeSeconds)}/s)`,
    );
  }, 110_000);

  it('counts every consumed message as an event in /metrics', async () => {
    const text = await (await fetch(`${pipeline.overlay.url}/metrics`)).text();
    const match = /livepipe_events_in_total\{source="audience"\} (\d+)/.exec(text);
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(COUNT);
  });
});
