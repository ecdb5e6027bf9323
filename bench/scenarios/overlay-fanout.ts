// Scenario 5, overlay fan-out: one published result to 1k (quick) / 10k (full) WebSocket clients
// held by child processes. Measures publish → every client received (p50/p99 over the marks) and
// server memory per client (RSS delta / clients), against a naive ws broadcast that stringifies
// per client (baseline) and a bare ws broadcast of one prebuilt string (ceiling).
import { fork, execSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { OverlayServer } from '../../src/overlay/index.js';
import { LatencyHistogram, type LatencySummary } from '../harness/latency-histogram.js';
import { preciseNow } from '../harness/open-loop.js';
import { summaryRow, type Measure, type Scenario, type ScenarioResult } from '../harness/scenario.js';

const CHILDREN = 2;
const CHILD_SCRIPT = fileURLToPath(new URL('./fanout-clients.ts', import.meta.url));

interface FanoutSystem {
  label: string;
  /** ws URL clients connect to. */
  url: string;
  publish(mark: number): void;
  close(): Promise<void>;
}

interface FanoutMeasurement {
  label: string;
  clients: number;
  delivery: LatencySummary;
  /** Synchronous publish call, ms (the server's own cost). */
  publishCall: LatencySummary;
  /** Server RSS delta per client after a GC (sockets, buffers and JS objects). */
  bytesPerClient: number;
  /** JS heap + external memory delta per client after a GC (the stabler part of it). */
  heapBytesPerClient: number;
}

function payload(mark: number): {
  mark: number;
  text: string;
  label: string;
  score: number;
  viewer: { name: string; level: number };
} {
  return {
    mark,
    text: 'what a play, that was incredible!! gg',
    label: 'positive',
    score: 0.93,
    viewer: { name: 'viewer-4711', level: 7 },
  };
}

async function hubSystem(): Promise<FanoutSystem> {
  const overlay = new OverlayServer({ host: '127.0.0.1', port: 0, snapshotSize: 0, heartbeatMs: 600_000 });
  await overlay.start();
  return {
    label: 'livepipe overlay hub',
    url: `${overlay.url.replace(/^http/, 'ws')}/ws?stream=fanout`,
    publish: (mark) => void overlay.publish('fanout', 'comments', payload(mark)),
    close: () => overlay.close(),
  };
}

async function plainWsSystem(label: string, stringifyPerClient: boolean): Promise<FanoutSystem> {
  const server: Server = createServer();
  const sockets = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let seq = 0;
  return {
    label,
    url: `ws://127.0.0.1:${port}/ws?stream=fanout`,
    publish: (mark) => {
      seq++;
      const message = {
        kind: 'message',
        stream: 'fanout',
        seq,
        channel: 'comments',
        ts: Date.now(),
        data: payload(mark),
      };
      if (stringifyPerClient) {
        for (const client of sockets.clients) client.send(JSON.stringify(message));
      } else {
        const frame = JSON.stringify(message);
        for (const client of sockets.clients) client.send(frame);
      }
    },
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class ClientFleet {
  private readonly children: ChildProcess[] = [];
  private listeners: Array<(message: { op: string; [key: string]: unknown }) => void> = [];

  async start(): Promise<void> {
    for (let i = 0; i < CHILDREN; i++) {
      const child = fork(CHILD_SCRIPT, [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      child.on('message', (message: { op: string }) => {
        for (const listener of this.listeners) listener(message);
      });
      this.children.push(child);
    }
    await this.collect('ready', CHILDREN, 30_000);
  }

  async connect(url: string, clients: number): Promise<number> {
    const per = Math.ceil(clients / CHILDREN);
    const replies = this.collect('connected', CHILDREN, 120_000);
    for (const [i, child] of this.children.entries()) {
      child.send({ op: 'connect', url, count: Math.max(0, Math.min(per, clients - i * per)) });
    }
    return (await replies).reduce((sum, r) => sum + (r.clients as number), 0);
  }

  /** Resolves with the last receive time over every child, for one mark. */
  received(mark: number, timeoutMs: number): Promise<number> {
    return this.collect('received', CHILDREN, timeoutMs, (m) => m.mark === mark).then((replies) =>
      Math.max(...replies.map((r) => r.last as number)),
    );
  }

  async close(): Promise<void> {
    const replies = this.collect('closed', CHILDREN, 30_000);
    for (const child of this.children) child.send({ op: 'close' });
    await replies;
  }

  stop(): void {
    for (const child of this.children) {
      if (child.connected) child.send({ op: 'exit' });
    }
  }

  private collect(
    op: string,
    count: number,
    timeoutMs: number,
    match: (m: { [key: string]: unknown }) => boolean = () => true,
  ): Promise<Array<{ [key: string]: unknown }>> {
    return new Promise((resolve, reject) => {
      const got: Array<{ [key: string]: unknown }> = [];
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(
          new Error(`fan-out clients: expected ${count} "${op}" replies within ${timeoutMs} ms, got ${got.length}`),
        );
      }, timeoutMs);
      const listener = (message: { op: string; [key: string]: unknown }): void => {
        if (message.op !== op || !match(message)) return;
        got.push(message);
        if (got.length === count) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((l) => l !== listener);
          resolve(got);
        }
      };
      this.listeners.push(listener);
    });
  }
}

// A collection before each memory reading, so the delta is the clients' live memory and not
// garbage (the flag can be turned on at run time; gc is then reachable from a fresh context).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface MemoryReading {
  rss: number;
  heap: number;
}

async function settledMemory(): Promise<MemoryReading> {
  collectGarbage();
  await sleep(100);
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed + usage.external };
}

function fdLimit(): number {
  try {
    const text = execSync('ulimit -n', { encoding: 'utf8', shell: '/bin/sh' }).trim();
    return text === 'unlimited' ? Infinity : Number(text);
  } catch {
    return 1024;
  }
}

async function measure(
  system: FanoutSystem,
  fleet: ClientFleet,
  clients: number,
  marks: number,
): Promise<FanoutMeasurement> {
  const before = await settledMemory();
  const connected = await fleet.connect(system.url, clients);
  await sleep(200);
  const after = await settledMemory();
  const delivery = new LatencyHistogram();
  const publishCall = new LatencyHistogram();
  for (let mark = 0; mark < marks; mark++) {
    const done = fleet.received(mark, 15_000);
    const at = preciseNow();
    system.publish(mark);
    publishCall.record(preciseNow() - at);
    delivery.record((await done) - at);
    await sleep(20);
  }
  await fleet.close();
  return {
    label: system.label,
    clients: connected,
    delivery: delivery.summary(),
    publishCall: publishCall.summary(),
    bytesPerClient: (after.rss - before.rss) / Math.max(1, connected),
    heapBytesPerClient: (after.heap - before.heap) / Math.max(1, connected),
  };
}

export const overlayFanout: Scenario = {
  name: 'overlay-fanout',
  title: 'Overlay fan-out: one result to many WebSocket clients',
  async run({ settings, progress }): Promise<ScenarioResult> {
    const started = performance.now();
    const limit = fdLimit();
    // Each child holds half the clients; the server holds all of them, plus its own files.
    const clients = Math.min(settings.fanoutClients, Math.max(100, limit - 512));
    const notes = [
      `${clients} clients in ${CHILDREN} child processes (the server process is measured alone); messages ~200 bytes, no compression.`,
      'Delivery: publish() call → the last client received it (clocks: same host). Memory: server RSS and JS heap+external deltas after connecting / clients, each read after a forced GC; RSS moves in pages, so at 1k clients it is approximate (the full run uses 10k).',
    ];
    if (clients < settings.fanoutClients)
      notes.push(
        `Capped at ${clients} clients by the open-file limit (ulimit -n = ${limit}); raise it to run ${settings.fanoutClients}.`,
      );
    const marks = settings.mode === 'quick' ? 40 : 200;
    const fleet = new ClientFleet();
    await fleet.start();
    const results: FanoutMeasurement[] = [];
    try {
      for (const make of [
        hubSystem,
        () => plainWsSystem('baseline: ws, JSON.stringify per client', true),
        () => plainWsSystem('ceiling: ws, one prebuilt string', false),
      ]) {
        const system = await make();
        try {
          progress.step(`${system.label}: connecting ${clients} clients`);
          const result = await measure(system, fleet, clients, marks);
          progress.step(
            `${system.label}: p99 ${result.delivery.p99Ms} ms, RSS ${(result.bytesPerClient / 1024).toFixed(1)} KiB/client, heap ${(result.heapBytesPerClient / 1024).toFixed(1)} KiB/client`,
          );
          results.push(result);
        } finally {
          await system.close();
        }
      }
    } finally {
      fleet.stop();
    }
    const [hub, baseline, ceiling] = results as [FanoutMeasurement, FanoutMeasurement, FanoutMeasurement];
    const rows = [
      summaryRow({
        scenario: 'overlay-fanout',
        variant: `${hub.clients} clients: p99 publish → all received (lower is better)`,
        unit: 'ms',
        value: hub.delivery.p99Ms,
        p99AtHalfMs: undefined,
        baseline: baseline.delivery.p99Ms,
        ceiling: ceiling.delivery.p99Ms,
      }),
      summaryRow({
        scenario: 'overlay-fanout',
        variant: 'server memory per client: JS heap + external after GC (lower is better)',
        unit: 'KiB',
        value: round1(hub.heapBytesPerClient / 1024),
        p99AtHalfMs: undefined,
        baseline: round1(baseline.heapBytesPerClient / 1024),
        ceiling: round1(ceiling.heapBytesPerClient / 1024),
      }),
    ];
    const measures: Measure[] = results.flatMap((r) => [
      {
        name: `${r.label}: delivery p50`,
        description: 'publish → last client received',
        value: r.delivery.p50Ms,
        unit: 'ms',
      },
      { name: `${r.label}: delivery p99`, description: `over ${marks} publishes`, value: r.delivery.p99Ms, unit: 'ms' },
      {
        name: `${r.label}: publish call p99`,
        description: 'synchronous server work per publish',
        value: r.publishCall.p99Ms,
        unit: 'ms',
      },
      {
        name: `${r.label}: memory per client (RSS)`,
        description: 'server RSS delta / clients, after GC',
        value: round1(r.bytesPerClient / 1024),
        unit: 'KiB',
      },
      {
        name: `${r.label}: memory per client (heap)`,
        description: 'server JS heap + external delta / clients, after GC',
        value: round1(r.heapBytesPerClient / 1024),
        unit: 'KiB',
      },
    ]);
    return {
      scenario: 'overlay-fanout',
      title: this.title,
      status: 'ok',
      notes,
      rows,
      ratio: { toBaseline: rows[0]!.ratioToBaseline ?? null, toCeiling: rows[0]!.ratioToCeiling ?? null },
      measures,
      curves: [],
      details: { results, fdLimit: limit },
      durationMs: performance.now() - started,
    };
  },
};

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
