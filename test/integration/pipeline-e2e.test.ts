// The whole embedded path in one process: generator → router → ONNX pool → overlay, checked by a
// real WebSocket client against what the (deterministic) generator produced for its stream.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadPipeline } from '../../src/config/index.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { LivePipeline } from '../../src/pipeline.js';
import { InteractionSimulator } from '../../src/sources/generator.js';

const PIPELINE_FILE = fileURLToPath(new URL('../fixtures/e2e/e2e-pipeline.yaml', import.meta.url));
const WATCHED_STREAM = 'stream-2';

interface Frame {
  kind: 'snapshot' | 'message';
  seq: number;
  stream?: string;
  channel?: string;
  data?: { id?: string; type?: string; causeid?: string; data?: Record<string, unknown> };
  messages?: Frame[];
}

function expectedEvents(spec: Awaited<ReturnType<typeof loadPipeline>>): LiveEvent[] {
  const generator = spec.sources[0]!.generator!;
  const simulator = new InteractionSimulator(generator);
  return Array.from({ length: generator.maxEvents! }, () => simulator.next().event);
}

/** Polls until the condition holds or 45 s pass; the assertion after it says what was missing. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('embedded pipeline end to end', () => {
  let pipeline: LivePipeline;
  let generated: LiveEvent[];
  const frames: Frame[] = [];
  let client: WebSocket;

  beforeAll(async () => {
    const spec = await loadPipeline(PIPELINE_FILE);
    generated = expectedEvents(spec);
    pipeline = new LivePipeline(spec);
    await pipeline.start();
    client = new WebSocket(`${pipeline.overlay.url.replace('http', 'ws')}/ws?stream=${WATCHED_STREAM}`);
    client.on('message', (raw) => frames.push(JSON.parse(String(raw)) as Frame));
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  });

  afterAll(async () => {
    client?.close();
    await pipeline?.stop();
  });

  function messages(): Frame[] {
    return frames.flatMap((frame) => (frame.kind === 'snapshot' ? (frame.messages ?? []) : [frame]));
  }

  it('delivers a sentiment result for every comment of the watched stream, and only those', async () => {
    const expectedComments = generated
      .filter((event) => event.type === 'live.comment' && event.stream === WATCHED_STREAM)
      .map((event) => event.id)
      .sort();
    expect(expectedComments.length).toBeGreaterThan(20);

    const resultCauses = () =>
      messages()
        .filter((message) => message.channel === 'comments')
        .map((message) => message.data?.causeid ?? '');
    await waitFor(() => resultCauses().length >= expectedComments.length);
    expect(resultCauses().sort()).toEqual(expectedComments);

    for (const message of messages().filter((m) => m.channel === 'comments')) {
      expect(message.data?.type).toBe('ai.sentiment.result');
      expect(message.data?.id).toBe(`${message.data?.causeid}/chat-sentiment`);
      expect(['positive', 'negative']).toContain(message.data?.data?.label);
      expect(['ok', 'flagged']).toContain(message.data?.data?.moderation);
      const cause = generated.find((event) => event.id === message.data?.causeid)!;
      expect(message.data?.data?.text).toBe((cause.data as { text: string }).text);
    }
  });

  it("alerts on exactly the watched stream's gifts worth 100 coins or more (CEL on data)", async () => {
    const expected = generated
      .filter((event) => event.type === 'live.gift' && event.stream === WATCHED_STREAM)
      .filter((event) => (event.data as { gift: { value: number } }).gift.value >= 100)
      .map((event) => event.id)
      .sort();
    const alerts = () =>
      messages()
        .filter((message) => message.channel === 'gift-alert')
        .map((message) => message.data?.id)
        .sort();
    await waitFor(() => alerts().length >= expected.length);
    expect(expected.length).toBeGreaterThan(0);
    expect(alerts()).toEqual(expected);
  });

  it('numbers every message of the room contiguously, snapshot first', () => {
    expect(frames[0]?.kind).toBe('snapshot');
    const seqs = messages().map((message) => message.seq);
    expect(seqs.length).toBeGreaterThan(0);
    for (const [index, seq] of seqs.entries()) expect(seq).toBe(seqs[0]! + index);
    expect(messages().every((message) => message.stream === undefined || message.stream === WATCHED_STREAM)).toBe(true);
  });

  it("publishes hype and poll tallies computed from the stream's likes, gifts and votes", () => {
    const latest = (channel: string) =>
      messages()
        .filter((m) => m.channel === channel)
        .at(-1)?.data as Record<string, unknown> | undefined;
    const poll = latest('poll') as { tallies: Record<string, number>; total: number } | undefined;
    expect(poll).toBeDefined();
    expect(Object.values(poll!.tallies).reduce((a, b) => a + b, 0)).toBe(poll!.total);
    const hype = latest('hype') as { hype: number } | undefined;
    expect(hype?.hype).toBeGreaterThanOrEqual(0);
    expect(hype?.hype).toBeLessThanOrEqual(1);
  });

  it('records every stage in the /metrics histograms', async () => {
    const text = await (await fetch(`${pipeline.overlay.url}/metrics`)).text();
    for (const stage of ['source', 'route', 'queue', 'infer', 'push', 'e2e']) {
      const match = new RegExp(`livepipe_stage_duration_seconds_count\\{stage="${stage}"\\} (\\d+)`).exec(text);
      expect(match, `histogram for stage ${stage}`).not.toBeNull();
      expect(Number(match![1])).toBeGreaterThan(0);
    }
    const inMatch = /livepipe_events_in_total\{source="audience"\} (\d+)/.exec(text);
    expect(Number(inMatch?.[1])).toBe(generated.length);
  });
});
