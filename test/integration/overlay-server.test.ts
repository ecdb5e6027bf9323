// Real OverlayServer on port 0 with real ws clients (and one raw TCP client that never reads, to be
// a genuinely slow consumer).
import type { Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LivepipeError } from '../../src/errors.js';
import { OverlayServer, type OverlayOptions } from '../../src/overlay/index.js';
import type { OverlayFrame, OverlayMessage, OverlaySnapshot } from '../../src/overlay/protocol.js';
import { decodeFrames, type RawWebSocketClient, rawWebSocketClient } from './raw-websocket-client.js';

const servers: OverlayServer[] = [];
const sockets: Array<WebSocket | Socket> = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    if (socket instanceof WebSocket) {
      // A handshake the server refused already failed the client; terminating it again would throw.
      if (socket.readyState === WebSocket.OPEN) socket.terminate();
    } else {
      socket.destroy();
    }
  }
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(options: Partial<OverlayOptions> = {}): Promise<OverlayServer> {
  const server = new OverlayServer({
    host: '127.0.0.1',
    port: 0,
    snapshotSize: 5,
    logger: pino({ level: 'silent' }),
    ...options,
  });
  servers.push(server);
  await server.start();
  return server;
}

/** A ws client that queues every frame it receives, so a test can await them in order. */
class FrameReader {
  readonly ws: WebSocket;
  private readonly frames: OverlayFrame[] = [];
  private waiting: ((frame: OverlayFrame) => void) | undefined;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    sockets.push(this.ws);
    this.ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as OverlayFrame;
      const waiting = this.waiting;
      if (waiting !== undefined) {
        this.waiting = undefined;
        waiting(frame);
      } else {
        this.frames.push(frame);
      }
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  next(timeoutMs = 5000): Promise<OverlayFrame> {
    const queued = this.frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame arrived')), timeoutMs);
      this.waiting = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
    });
  }

  async nextSnapshot(): Promise<OverlaySnapshot> {
    const frame = await this.next();
    expect(frame.kind).toBe('snapshot');
    return frame as OverlaySnapshot;
  }

  async nextMessage(): Promise<OverlayMessage> {
    const frame = await this.next();
    expect(frame.kind).toBe('message');
    return frame as OverlayMessage;
  }

  /** Frames already received and not yet read. */
  pending(): number {
    return this.frames.length;
  }
}

function wsUrl(server: OverlayServer, query: string): string {
  return `${server.url.replace('http:', 'ws:')}/ws?${query}`;
}

/** Lets the event loop run until `condition` holds (or fails the test after `timeoutMs`). */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw client that the test's cleanup closes; see raw-websocket-client.ts. */
function rawClient(server: OverlayServer, stream: string): RawWebSocketClient {
  const client = rawWebSocketClient(server.url, stream);
  sockets.push(client.socket);
  return client;
}

describe('OverlayServer WebSocket hub', () => {
  it('sends a new client a snapshot, then only its own room messages in seq order', async () => {
    const server = await startServer({ snapshotSize: 2 });
    server.publish('room-a', 'hype', { hype: 0.25 });
    server.publish('room-a', 'comments', { id: 'c1' });
    server.publish('room-a', 'comments', { id: 'c2' });
    server.publish('room-a', 'comments', { id: 'c3' });
    server.publish('room-b', 'comments', { id: 'other' });

    const client = new FrameReader(wsUrl(server, 'stream=room-a'));
    const snapshot = await client.nextSnapshot();
    expect(snapshot.stream).toBe('room-a');
    expect(snapshot.seq).toBe(4);
    expect(snapshot.messages.map((m) => m.data)).toEqual([{ id: 'c2' }, { id: 'c3' }]);
    expect(snapshot.latest.hype).toMatchObject({ seq: 1, data: { hype: 0.25 } });
    expect(snapshot.latest.comments).toMatchObject({ seq: 4, data: { id: 'c3' } });

    for (let i = 0; i < 20; i++) {
      server.publish(i % 3 === 0 ? 'room-b' : 'room-a', 'comments', { i });
    }
    const expected = Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const seen: number[] = [];
    for (const i of expected) {
      const message = await client.nextMessage();
      expect(message.stream).toBe('room-a');
      expect(message.seq).toBe(snapshot.seq + seen.length + 1);
      expect(message.data).toEqual({ i });
      seen.push(i);
    }
    expect(server.stats()).toMatchObject({ clients: 1, rooms: 2, dropped: 0 });
  });

  it('resumes a client from since with the missed messages and no snapshot', async () => {
    const server = await startServer({ historySize: 100 });
    for (let i = 1; i <= 10; i++) server.publish('live', 'comments', { i });
    const client = new FrameReader(wsUrl(server, 'stream=live&since=6'));
    await client.opened;
    for (const i of [7, 8, 9, 10]) {
      const message = await client.nextMessage();
      expect([message.seq, message.data]).toEqual([i, { i }]);
    }
    server.publish('live', 'hype', { hype: 1 });
    expect(await client.nextMessage()).toMatchObject({ seq: 11, channel: 'hype' });
  });

  it('sends a snapshot instead when since is older than the ring buffer or ahead of the room', async () => {
    const server = await startServer({ snapshotSize: 3, historySize: 3 });
    for (let i = 1; i <= 10; i++) server.publish('live', 'comments', { i });
    const tooOld = new FrameReader(wsUrl(server, 'stream=live&since=2'));
    const old = await tooOld.nextSnapshot();
    expect(old.seq).toBe(10);
    expect(old.messages.map((m) => m.seq)).toEqual([8, 9, 10]);

    const ahead = new FrameReader(wsUrl(server, 'stream=live&since=99'));
    expect((await ahead.nextSnapshot()).seq).toBe(10);
  });

  it('drops messages for a slow client without holding up another, counts it, and re-syncs it with a snapshot once it drains', async () => {
    const slowClientBytes = 256 * 1024;
    const hooked: string[] = [];
    const server = await startServer({
      snapshotSize: 3,
      slowClientBytes,
      hooks: {
        onSlowClient: (stream) => hooked.push(`slow ${stream}`),
        onResync: (stream) => hooked.push(`resync ${stream}`),
      },
    });
    const fast = new FrameReader(wsUrl(server, 'stream=busy'));
    expect((await fast.nextSnapshot()).seq).toBe(0);
    const slow = rawClient(server, 'busy');
    await until(() => server.stats().clients === 2);
    slow.socket.pause();

    const payload = 'x'.repeat(32 * 1024);
    let seq = 0;
    // Publish until the slow client crosses its limit, then keep going; the fast client must read
    // every message in order the whole time.
    let afterSlow = 0;
    while (afterSlow < 20) {
      seq = server.publish('busy', 'comments', { seq: seq + 1, payload });
      const message = await fast.nextMessage();
      expect(message.seq).toBe(seq);
      if (server.stats().slowClients > 0) afterSlow++;
      if (seq > 4000) throw new Error('the paused client never became slow');
    }
    const stats = server.stats();
    expect(stats.slowClients).toBe(1);
    expect(stats.dropped).toBeGreaterThanOrEqual(20);
    expect(stats.clients).toBe(2);

    // Let it read: once drained it gets a snapshot at the current seq, so nothing is missed silently.
    slow.socket.resume();
    await until(() => {
      const frames = decodeFrames(Buffer.concat(slow.received));
      const last = frames.at(-1);
      return last !== undefined && last.kind === 'snapshot' && last.seq === seq;
    }, 10_000);
    const frames = decodeFrames(Buffer.concat(slow.received));
    expect(frames[0]).toMatchObject({ kind: 'snapshot', seq: 0 });
    expect(server.stats().resyncs).toBe(1);
    expect(hooked).toEqual(['slow busy', 'resync busy']);
    const live = frames.slice(1, -1);
    expect(live.every((frame) => frame.kind === 'message')).toBe(true);
    expect(live.map((frame) => frame.seq)).toEqual(Array.from({ length: live.length }, (_, i) => i + 1));
    expect(live.length).toBeLessThan(seq);

    // And it is live again afterwards.
    const next = server.publish('busy', 'hype', { hype: 0.5 });
    await until(() => decodeFrames(Buffer.concat(slow.received)).at(-1)?.seq === next);
  });

  it('drops a client that stops answering pings', async () => {
    const server = await startServer({ heartbeatMs: 100 });
    const alive = new FrameReader(wsUrl(server, 'stream=hb'));
    await alive.opened;
    const dead = rawClient(server, 'hb');
    await until(() => server.stats().clients === 2);
    // The raw client never answers a ping, so the second heartbeat after it joined removes it.
    await until(() => server.stats().clients === 1);
    await until(dead.closed);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('rejects a WebSocket upgrade without a stream or on another path', async () => {
    const server = await startServer();
    const noStream = new WebSocket(`${server.url.replace('http:', 'ws:')}/ws`);
    sockets.push(noStream);
    const status = await new Promise<number>((resolve) =>
      noStream.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(400);
    const wrongPath = new WebSocket(`${server.url.replace('http:', 'ws:')}/socket?stream=a`);
    sockets.push(wrongPath);
    const status404 = await new Promise<number>((resolve) =>
      wrongPath.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status404).toBe(404);
  });
});

describe('OverlayServer HTTP', () => {
  it('binds port 0 to a real port and reports it in url and overlayUrl', async () => {
    const server = await startServer();
    const port = Number(new URL(server.url).port);
    expect(port).toBeGreaterThan(0);
    expect(server.overlayUrl('my stream/1')).toBe(`http://127.0.0.1:${port}/overlay/my%20stream%2F1`);
  });

  it('lists known streams on the index page with links to their overlays, escaped', async () => {
    const server = await startServer();
    server.publish('stream-1', 'hype', {});
    server.publish('<b>evil</b>', 'hype', {});
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('href="/overlay/stream-1"');
    expect(html).toContain('&lt;b&gt;evil&lt;/b&gt;');
    expect(html).not.toContain('<b>evil</b>');
  });

  it('serves the overlay page for any stream and its static assets', async () => {
    const server = await startServer();
    const page = await fetch(server.overlayUrl('stream-7'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('/static/overlay.js');
    const script = await fetch(`${server.url}/static/overlay.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('__overlayState');
    expect((await fetch(`${server.url}/static/../overlay-server.ts`)).status).toBe(404);
    expect((await fetch(`${server.url}/nothing-here`)).status).toBe(404);
  });

  it('answers /healthz and mounted routes, and turns a failing route into a 500', async () => {
    const server = await startServer({
      routes: {
        '/metrics': (_request, response) => {
          response.writeHead(200, { 'Content-Type': 'text/plain' });
          response.end('livepipe_up 1\n');
        },
        '/broken': async () => {
          throw new Error('boom');
        },
      },
    });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const metrics = await fetch(`${server.url}/metrics?x=1`);
    expect(await metrics.text()).toBe('livepipe_up 1\n');
    expect((await fetch(`${server.url}/broken`)).status).toBe(500);
    expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects invalid options at construction with a LivepipeError that names the field', () => {
    const base = { host: '127.0.0.1', port: 0, snapshotSize: 5 };
    expect(() => new OverlayServer({ ...base, port: 70_000 })).toThrow(/overlay\.port/);
    expect(() => new OverlayServer({ ...base, snapshotSize: -1 })).toThrow(LivepipeError);
    expect(() => new OverlayServer({ ...base, routes: { '/healthz': () => undefined } })).toThrow(/overlay\.routes/);
    expect(() => new OverlayServer({ ...base, slowClientBytes: 0 })).toThrow(/slowClientBytes/);
  });

  it('reports a port in use as a LivepipeError', async () => {
    const first = await startServer();
    const port = Number(new URL(first.url).port);
    const second = new OverlayServer({ host: '127.0.0.1', port, snapshotSize: 5 });
    servers.push(second);
    await expect(second.start()).rejects.toThrow(/in use/);
  });
});
