// Two overlay servers (two pipeline instances) sharing their overlays through the real Redis:
// a ws client on either instance gets every message of its stream exactly once, numbered alike.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { OverlayServer, RedisOverlayFanout } from '../../src/overlay/index.js';
import type { OverlayFrame, OverlayMessage } from '../../src/overlay/protocol.js';
import { deleteKeys, REDIS_URL, redisUnavailable, skipWithoutRedis } from './distributed-redis-helper.js';

const skip = skipWithoutRedis(await redisUnavailable(), 'overlay fan-out tests');
const namespace = `livepipe-test:overlay:${process.pid}-${randomBytes(3).toString('hex')}`;
const silent = pino({ level: 'silent' });
const servers: OverlayServer[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(async () => {
  if (!skip) await deleteKeys(`${namespace}*`);
});

async function startInstance(ns = namespace): Promise<{ server: OverlayServer; fanout: RedisOverlayFanout }> {
  const fanout = new RedisOverlayFanout({ url: REDIS_URL, namespace: ns, logger: silent });
  const server = new OverlayServer({ host: '127.0.0.1', port: 0, snapshotSize: 50, logger: silent, fanout });
  servers.push(server);
  await server.start();
  return { server, fanout };
}

/** Connects a client and collects the messages (not snapshots) it receives. */
async function connectClient(
  server: OverlayServer,
  stream: string,
  since?: number,
): Promise<{ messages: OverlayMessage[]; snapshots: number }> {
  const query = since === undefined ? '' : `&since=${since}`;
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?stream=${encodeURIComponent(stream)}${query}`);
  clients.push(ws);
  const seen = { messages: [] as OverlayMessage[], snapshots: 0 };
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as OverlayFrame;
    if (frame.kind === 'message') seen.messages.push(frame);
    else seen.snapshots++;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return seen;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(skip)('overlay fan-out through Redis', () => {
  it('gives a client on either instance every message of its stream exactly once, in the same seq order', async () => {
    const a = await startInstance();
    const b = await startInstance();
    const onA = await connectClient(a.server, 'live-1');
    const onB = await connectClient(b.server, 'live-1');
    const otherStream = await connectClient(b.server, 'live-2');

    for (let i = 0; i < 10; i++) {
      const from = i % 2 === 0 ? a.server : b.server;
      from.publish('live-1', 'chat', { n: i, from: i % 2 === 0 ? 'a' : 'b' });
    }
    a.server.publish('live-2', 'chat', { n: 'other' });

    await until(
      () => onA.messages.length >= 10 && onB.messages.length >= 10 && otherStream.messages.length >= 1,
      'all messages',
    );
    // Anything extra (an echo) would arrive right behind; give it the chance.
    await new Promise((resolve) => setTimeout(resolve, 100));

    for (const client of [onA, onB]) {
      expect(client.messages).toHaveLength(10);
      expect(client.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(new Set(client.messages.map((m) => (m.data as { n: number }).n))).toEqual(
        new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      );
      expect(client.messages.every((m) => m.stream === 'live-1' && m.channel === 'chat')).toBe(true);
    }
    // Same numbering, same order, same timestamps on both instances.
    expect(onB.messages).toEqual(onA.messages);
    // Each publishing instance's own messages keep their publish order.
    const fromA = onA.messages
      .filter((m) => (m.data as { from: string }).from === 'a')
      .map((m) => (m.data as { n: number }).n);
    expect(fromA).toEqual([0, 2, 4, 6, 8]);
    expect(otherStream.messages.map((m) => m.data)).toEqual([{ n: 'other' }]);
    expect(a.fanout.stats()).toMatchObject({ published: 6, failed: 0, received: 11, malformed: 0 });
  });

  it('lets a client resume on another instance from the seq it got on the first', async () => {
    const a = await startInstance();
    const b = await startInstance();
    const onA = await connectClient(a.server, 'live-resume');
    for (let i = 0; i < 6; i++) a.server.publish('live-resume', 'chat', { n: i });
    await until(() => onA.messages.length >= 6 && b.server.stats().rooms >= 1, 'six messages');
    await until(() => b.fanout.stats().received >= 6, 'instance b to receive them');

    const last = onA.messages[3]!.seq;
    const resumed = await connectClient(b.server, 'live-resume', last);
    await until(() => resumed.messages.length >= 2, 'the missed messages');
    expect(resumed.snapshots).toBe(0);
    expect(resumed.messages.map((m) => m.seq)).toEqual([last + 1, last + 2]);
    expect(resumed.messages).toEqual(onA.messages.slice(4));
  });

  it('answers a resume across messages an instance never received with a snapshot', async () => {
    const ns = `${namespace}:gap`;
    const a = await startInstance(ns);
    for (let i = 0; i < 3; i++) a.server.publish('live-gap', 'chat', { n: i });
    const onA = await connectClient(a.server, 'live-gap');
    await until(() => a.fanout.stats().received >= 3, 'three messages');
    // b joins late: it never saw seq 1-3, so it cannot serve a resume from 1.
    const b = await startInstance(ns);
    a.server.publish('live-gap', 'chat', { n: 3 });
    await until(() => b.fanout.stats().received >= 1 && onA.messages.length >= 1, 'the fourth message');
    const resumed = await connectClient(b.server, 'live-gap', 1);
    await until(() => resumed.snapshots >= 1, 'a snapshot');
    expect(resumed.messages).toEqual([]);
    const fresh = await connectClient(b.server, 'live-gap', 3);
    await until(() => fresh.messages.length >= 1, 'the fourth message on b');
    expect(fresh.messages[0]!.seq).toBe(4);
  });

  it('keeps a server without a fan-out numbering on its own', async () => {
    const server = new OverlayServer({ host: '127.0.0.1', port: 0, snapshotSize: 5, logger: silent });
    servers.push(server);
    await server.start();
    expect(server.publish('solo', 'chat', 1)).toBe(1);
    expect(server.publish('solo', 'chat', 2)).toBe(2);
  });
});
