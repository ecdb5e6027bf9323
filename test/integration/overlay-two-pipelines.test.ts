// Two pipeline instances sharing their overlays through the real Redis (overlay.redis): events
// ingested by either instance — and their model results — reach a client on each, exactly once.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadPipeline } from '../../src/config/index.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventsToHttpBatchMessage } from '../../src/events/http-binding.js';
import { LivePipeline } from '../../src/pipeline.js';
import { deleteKeys, REDIS_URL, redisUnavailable, skipWithoutRedis } from './distributed-redis-helper.js';

const PIPELINE_FILE = fileURLToPath(new URL('../fixtures/e2e/http-pipeline.yaml', import.meta.url));
const skip = skipWithoutRedis(await redisUnavailable(), 'two-pipeline overlay test');
const STREAM = `two-pipelines-${process.pid}-${randomBytes(3).toString('hex')}`;
const PER_INSTANCE = 100;

interface Frame {
  kind: 'snapshot' | 'message';
  channel?: string;
  data?: { id?: string; causeid?: string };
}

function comment(id: string): LiveEvent {
  return {
    specversion: '1.0',
    id,
    source: `/live/streams/${STREAM}`,
    type: 'live.comment',
    stream: STREAM,
    data: { viewer: { id: 'v', name: 'viewer', level: 2 }, text: `comment ${id} is great` },
  };
}

describe.skipIf(skip)('two pipeline instances with overlay.redis', () => {
  const pipelines: LivePipeline[] = [];
  const clients: WebSocket[] = [];

  afterAll(async () => {
    for (const client of clients) client.terminate();
    await Promise.all(pipelines.map((pipeline) => pipeline.stop()));
    await deleteKeys(`*${STREAM}*`);
  });

  it('gives a client on either instance every event and result of its stream, once', async () => {
    for (let i = 0; i < 2; i++) {
      const spec = await loadPipeline(PIPELINE_FILE);
      spec.overlay.redis = REDIS_URL;
      const pipeline = new LivePipeline(spec);
      await pipeline.start();
      pipelines.push(pipeline);
    }
    const received = pipelines.map(() => ({ all: [] as string[], comments: [] as string[] }));
    for (const [index, pipeline] of pipelines.entries()) {
      const client = new WebSocket(`${pipeline.overlay.url.replace('http', 'ws')}/ws?stream=${STREAM}`);
      client.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as Frame;
        if (frame.kind !== 'message') return;
        if (frame.channel === 'all' && frame.data?.id) received[index]!.all.push(frame.data.id);
        if (frame.channel === 'comments' && frame.data?.causeid) received[index]!.comments.push(frame.data.causeid);
      });
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      clients.push(client);
    }

    const expected: string[] = [];
    for (const [index, pipeline] of pipelines.entries()) {
      const events = Array.from({ length: PER_INSTANCE }, (_, i) => comment(`instance${index}-${i}`));
      expected.push(...events.map((event) => event.id));
      const message = cloudEventsToHttpBatchMessage(events);
      const response = await fetch(pipeline.ingressUrls()[0]!.url, {
        method: 'POST',
        headers: message.headers,
        body: new Uint8Array(message.body!),
      });
      expect(response.status).toBe(202);
    }

    const deadline = Date.now() + 30_000;
    const complete = () =>
      received.every((seen) => seen.all.length >= expected.length && seen.comments.length >= expected.length);
    while (!complete() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    expected.sort();
    for (const seen of received) {
      expect([...seen.all].sort()).toEqual(expected);
      expect([...seen.comments].sort()).toEqual(expected);
    }
  });
});
