// 10,000 interactions POSTed as CloudEvents to the HTTP ingress (batched and binary mode) reach
// the overlay: every id on its stream's channel "all", every comment's sentiment result too.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadPipeline } from '../../src/config/index.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventToHttpMessage, cloudEventsToHttpBatchMessage } from '../../src/events/http-binding.js';
import { LivePipeline } from '../../src/pipeline.js';
import { InteractionSimulator } from '../../src/sources/generator.js';
import { generatorSchema } from '../../src/config/schema.js';

const PIPELINE_FILE = fileURLToPath(new URL('../fixtures/e2e/http-pipeline.yaml', import.meta.url));
const COUNT = 10_000;
const STREAMS = 3;

interface Frame {
  kind: 'snapshot' | 'message';
  channel?: string;
  data?: { id?: string; causeid?: string };
  messages?: Frame[];
}

function body(bytes: Buffer | null): Uint8Array<ArrayBuffer> | null {
  return bytes === null ? null : new Uint8Array(bytes);
}

describe('HTTP ingress end to end', () => {
  let pipeline: LivePipeline;
  const events: LiveEvent[] = [];
  const seen = new Map<string, { all: Set<string>; comments: Set<string> }>();
  const clients: WebSocket[] = [];

  beforeAll(async () => {
    const simulator = new InteractionSimulator(generatorSchema.parse({ seed: 11, streams: STREAMS, rate: 5000 }));
    for (let i = 0; i < COUNT; i++) events.push(simulator.next().event);
    pipeline = new LivePipeline(await loadPipeline(PIPELINE_FILE));
    await pipeline.start();
    const wsBase = pipeline.overlay.url.replace('http', 'ws');
    for (const stream of simulator.streams) {
      const state = { all: new Set<string>(), comments: new Set<string>() };
      seen.set(stream, state);
      const client = new WebSocket(`${wsBase}/ws?stream=${stream}`);
      client.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as Frame;
        for (const message of frame.kind === 'snapshot' ? (frame.messages ?? []) : [frame]) {
          if (message.channel === 'all' && message.data?.id) state.all.add(message.data.id);
          if (message.channel === 'comments' && message.data?.causeid) state.comments.add(message.data.causeid);
        }
      });
      await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
      clients.push(client);
    }
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await pipeline?.stop();
  });

  it('delivers every posted interaction, and a result for every comment, to its stream', async () => {
    const [ingress] = pipeline.ingressUrls();
    expect(ingress).toBeDefined();
    // Most in batches of 100; every 50th event alone in binary mode.
    const singles = events.filter((_, i) => i % 50 === 0);
    const batched = events.filter((_, i) => i % 50 !== 0);
    for (let i = 0; i < batched.length; i += 100) {
      const message = cloudEventsToHttpBatchMessage(batched.slice(i, i + 100));
      const response = await fetch(ingress!.url, {
        method: 'POST',
        headers: message.headers,
        body: body(message.body),
      });
      expect(response.status).toBe(202);
    }
    for (const event of singles) {
      const message = cloudEventToHttpMessage(event);
      const response = await fetch(ingress!.url, {
        method: 'POST',
        headers: message.headers,
        body: body(message.body),
      });
      expect(response.status).toBe(202);
    }

    const expectedAll = new Map<string, string[]>();
    const expectedComments = new Map<string, string[]>();
    for (const event of events) {
      const stream = String(event.stream);
      (expectedAll.get(stream) ?? expectedAll.set(stream, []).get(stream)!).push(event.id);
      if (event.type === 'live.comment')
        (expectedComments.get(stream) ?? expectedComments.set(stream, []).get(stream)!).push(event.id);
    }
    const complete = () =>
      [...expectedAll].every(([stream, ids]) => seen.get(stream)!.all.size >= ids.length) &&
      [...expectedComments].every(([stream, ids]) => seen.get(stream)!.comments.size >= ids.length);
    const deadline = Date.now() + 60_000;
    while (!complete() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

    for (const [stream, ids] of expectedAll) expect([...seen.get(stream)!.all].sort()).toEqual([...ids].sort());
    for (const [stream, ids] of expectedComments)
      expect([...seen.get(stream)!.comments].sort()).toEqual([...ids].sort());
    expect(pipeline.metrics.eventsInTotal).toBe(COUNT);
    expect(pipeline.metrics.eventsDroppedTotal).toBe(0);
  });
});
