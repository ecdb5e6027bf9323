// A pipeline's overlay hub reports slow clients, the messages they miss and their re-syncs on the
// pipeline's /metrics: a real client that stops reading (raw TCP, paused) must raise the counters.
import { afterEach, describe, expect, it } from 'vitest';
import { parsePipeline } from '../../src/config/index.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { LivePipeline } from '../../src/pipeline.js';
import { decodeFrames, type RawWebSocketClient, rawWebSocketClient } from './raw-websocket-client.js';

const STREAM = 'slow-overlay';
const PIPELINE = `
apiVersion: livepipe/v1
kind: Pipeline
metadata: { name: overlay-metrics }
sources:
  - name: ingress
    http: { port: 0 }
triggers:
  - name: everything-to-overlay
    filters: [{ prefix: { type: live. } }]
    subscriber: { overlay: all }
overlay: { port: 0, snapshotSize: 5 }
metrics: { statusEvery: 0s }
`;

let pipeline: LivePipeline | undefined;
let client: RawWebSocketClient | undefined;

afterEach(async () => {
  client?.socket.destroy();
  await pipeline?.stop();
});

function comment(id: string, text: string): LiveEvent {
  return {
    specversion: '1.0',
    id,
    source: `/live/streams/${STREAM}`,
    type: 'live.comment',
    stream: STREAM,
    data: { text },
  };
}

/** A counter's value for this test's stream as /metrics serves it; 0 while the series does not exist yet. */
async function counterOnMetrics(name: string): Promise<number> {
  const text = await (await fetch(pipeline!.metricsUrl())).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{stream="${STREAM}"} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('overlay slow-client metrics of a pipeline', () => {
  it('counts a client that stops reading, the messages it misses and its re-sync on /metrics', async () => {
    pipeline = new LivePipeline(parsePipeline(PIPELINE, 'overlay-metrics.yaml'));
    await pipeline.start();
    const slow = rawWebSocketClient(pipeline.overlay.url, STREAM);
    client = slow;
    await until(() => pipeline!.overlay.stats().clients === 1 && slow.received.length > 0);
    slow.socket.pause();
    expect(await counterOnMetrics('livepipe_overlay_slow_clients_total')).toBe(0);

    // Past the kernel's socket buffers and the hub's 1 MiB limit the client is slow; keep going so
    // that it misses some messages.
    const text = 'x'.repeat(64 * 1024);
    let published = 0;
    let afterSlow = 0;
    while (afterSlow < 10) {
      void pipeline.ingest('test', comment(`c${published}`, text));
      published++;
      if (pipeline.overlay.stats().slowClients > 0) afterSlow++;
      if (published > 2000) throw new Error('the paused client never became slow');
      if (published % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await counterOnMetrics('livepipe_overlay_slow_clients_total')).toBe(1);
    const dropped = await counterOnMetrics('livepipe_overlay_messages_dropped_total');
    expect(dropped).toBeGreaterThanOrEqual(10);
    expect(dropped).toBe(pipeline.overlay.stats().dropped);
    expect(await counterOnMetrics('livepipe_overlay_resyncs_total')).toBe(0);

    // Once it reads again and drains, it gets a snapshot: one re-sync.
    slow.socket.resume();
    await until(async () => (await counterOnMetrics('livepipe_overlay_resyncs_total')) === 1);
    await until(() => decodeFrames(Buffer.concat(slow.received)).at(-1)?.kind === 'snapshot');
    expect(await counterOnMetrics('livepipe_overlay_slow_clients_total')).toBe(1);
  });
});
