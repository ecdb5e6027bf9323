import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketHub } from '../../../src/overlay/websocket-hub.js';

const hubs: WebSocketHub[] = [];

function makeHub(
  onPublish?: (stream: string, channel: string, durationMs: number, sent: number, dropped: number) => void,
): WebSocketHub {
  const hub = new WebSocketHub({
    snapshotSize: 10,
    historySize: 10,
    slowClientBytes: 1024,
    heartbeatMs: 60_000,
    logger: pino({ level: 'silent' }),
    ...(onPublish === undefined ? {} : { hooks: { onPublish } }),
  });
  hubs.push(hub);
  return hub;
}

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

describe('WebSocketHub without clients', () => {
  it('keeps a separate contiguous sequence per room', () => {
    const hub = makeHub();
    const a = [hub.publish('a', 'comments', 1), hub.publish('a', 'comments', 2)];
    const b = [hub.publish('b', 'hype', 1)];
    a.push(hub.publish('a', 'poll', 3));
    b.push(hub.publish('b', 'hype', 2), hub.publish('b', 'hype', 3));
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1, 2, 3]);
  });

  it('lists each published stream once, sorted, with its last seq', () => {
    const hub = makeHub();
    hub.publish('zeta', 'hype', {});
    hub.publish('alpha', 'hype', {});
    hub.publish('alpha', 'hype', {});
    expect(hub.summaries()).toEqual([
      { stream: 'alpha', seq: 2, clients: 0 },
      { stream: 'zeta', seq: 1, clients: 0 },
    ]);
    expect(hub.stats()).toEqual({ clients: 0, rooms: 2, sent: 0, dropped: 0, slowClients: 0, resyncs: 0 });
  });

  it('reports every publish to the onPublish hook with its stream, channel and zero recipients', () => {
    const calls: Array<[string, string, number, number]> = [];
    const hub = makeHub((stream, channel, durationMs, sent, dropped) => {
      expect(durationMs).toBeGreaterThanOrEqual(0);
      calls.push([stream, channel, sent, dropped]);
    });
    hub.publish('s', 'comments', { text: 'hi' });
    hub.publish('t', 'hype', { hype: 0.5 });
    expect(calls).toEqual([
      ['s', 'comments', 0, 0],
      ['t', 'hype', 0, 0],
    ]);
  });
});
