// The uri subscriber against real local HTTP servers: retries per the delivery spec, Retry-After,
// per-attempt timeouts, replies, and dead letters (to a JSONL file and to an HTTP endpoint) with
// Knative's knativeerror* extensions.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileDeadLetterSink } from '../../src/delivery/dead-letter-sinks.js';
import { DeliveringSink } from '../../src/delivery/delivering-sink.js';
import { DeliveryPolicy, type DeliveryPolicyOptions } from '../../src/delivery/delivery-policy.js';
import { HttpSubscriberSink } from '../../src/delivery/http-subscriber.js';
import type { Sink } from '../../src/delivery/sink.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventToHttpMessage, httpRequestToCloudEvents } from '../../src/events/http-binding.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
  at: number;
}

type Handler = (request: Received, index: number, response: ServerResponse) => void;

/** A real HTTP server that records every request and answers with `handler`. */
async function serve(handler: Handler): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(entry);
      handler(entry, received.length - 1, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

const servers: Server[] = [];
const sinks: Sink[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'livepipe-dls-'));
});

afterEach(async () => {
  await Promise.allSettled(sinks.splice(0).map((sink) => sink.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function comment(id: string): LiveEvent {
  return {
    specversion: '1.0',
    id,
    source: '/live/streams/s1',
    type: 'live.comment',
    stream: 's1',
    data: { text: 'hello there' },
  };
}

const FAST: DeliveryPolicyOptions = {
  retry: 3,
  backoffPolicy: 'exponential',
  backoffDelayMs: 5,
  timeoutMs: 2000,
  retryAfterMaxMs: 5000,
};

async function delivering(
  uri: string,
  policy: Partial<DeliveryPolicyOptions>,
  deadLetterSink?: Sink,
  format: 'binary' | 'structured' = 'binary',
): Promise<DeliveringSink> {
  const options = { ...FAST, ...policy };
  const inner = new HttpSubscriberSink({ uri, format, timeoutMs: options.timeoutMs });
  const sink = new DeliveringSink(inner, {
    policy: new DeliveryPolicy(options),
    deadLetterSink,
    destination: uri,
    innerEnforcesTimeout: true,
  });
  sinks.push(sink);
  await sink.start();
  return sink;
}

function answer(response: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  response.writeHead(status, headers).end(body);
}

async function fileLetters(path: string): Promise<LiveEvent[]> {
  const text = await readFile(path, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LiveEvent);
}

describe('HTTP subscriber delivery', () => {
  it('delivers once after N retries when the subscriber fails N times with 503', async () => {
    const failures = 2;
    const target = await serve((_req, index, res) => answer(res, index < failures ? 503 : 202));
    const sink = await delivering(target.url, {});
    await expect(sink.send(comment('c1'))).resolves.toBeUndefined();
    expect(target.received).toHaveLength(failures + 1);
    expect(target.received.map((r) => r.headers['ce-id'])).toEqual(['c1', 'c1', 'c1']);
    expect(sink.counts).toMatchObject({ delivered: 1, retries: failures, deadLettered: 0, failed: 0 });
  });

  it('posts binary mode by default: ce- headers, data as the body, Prefer: reply', async () => {
    const target = await serve((_req, _i, res) => answer(res, 200));
    const sink = await delivering(target.url, { retry: 0 });
    await sink.send(comment('b1'));
    const [request] = target.received;
    expect(request!.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'b1',
      'ce-type': 'live.comment',
      'content-type': 'application/json',
      prefer: 'reply',
    });
    expect(JSON.parse(request!.body.toString())).toEqual({ text: 'hello there' });
  });

  it('posts one JSON envelope in structured mode', async () => {
    const target = await serve((_req, _i, res) => answer(res, 204));
    const sink = await delivering(target.url, { retry: 0 }, undefined, 'structured');
    await sink.send(comment('s1'));
    const [request] = target.received;
    expect(request!.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(request!.headers['ce-id']).toBeUndefined();
    expect(httpRequestToCloudEvents(request!.headers, request!.body)[0]).toMatchObject({
      id: 's1',
      data: { text: 'hello there' },
    });
  });

  it('dead-letters to a JSONL file with the knativeerror* extensions after the retries are spent', async () => {
    const target = await serve((_req, _i, res) => answer(res, 503, 'subscriber overloaded'));
    const path = join(dir, 'always-503.jsonl');
    const sink = await delivering(target.url, { retry: 2 }, new FileDeadLetterSink(path));
    await expect(sink.send(comment('dead-1'))).resolves.toBeUndefined();
    expect(target.received).toHaveLength(3);
    const [letter, ...more] = await fileLetters(path);
    expect(more).toEqual([]);
    expect(letter).toMatchObject({
      id: 'dead-1',
      type: 'live.comment',
      knativeerrordest: target.url,
      knativeerrorcode: 503,
      data: { text: 'hello there' },
    });
    expect(Buffer.from(letter!.knativeerrordata as string, 'base64').toString()).toBe('subscriber overloaded');
    expect(sink.counts).toMatchObject({ delivered: 0, retries: 2, deadLettered: 1 });
  });

  it('dead-letters to an HTTP sink, which receives the event with ce-knativeerror* headers', async () => {
    const target = await serve((_req, _i, res) => answer(res, 500, '{"error":"boom"}'));
    const deadLetters = await serve((_req, _i, res) => answer(res, 202));
    const sink = await delivering(target.url, { retry: 1 }, new HttpSubscriberSink({ uri: deadLetters.url }));
    await sink.send(comment('dead-2'));
    expect(target.received).toHaveLength(2);
    expect(deadLetters.received).toHaveLength(1);
    const [letter] = httpRequestToCloudEvents(deadLetters.received[0]!.headers, deadLetters.received[0]!.body);
    expect(letter).toMatchObject({ id: 'dead-2', knativeerrordest: target.url, knativeerrorcode: '500' });
    expect(Buffer.from(letter!.knativeerrordata as string, 'base64').toString()).toBe('{"error":"boom"}');
  });

  it('does not retry a 400: the event is dead-lettered at once', async () => {
    const target = await serve((_req, _i, res) => answer(res, 400, 'bad event'));
    const path = join(dir, 'bad-request.jsonl');
    const sink = await delivering(target.url, { retry: 5 }, new FileDeadLetterSink(path));
    await sink.send(comment('bad-1'));
    expect(target.received).toHaveLength(1);
    expect((await fileLetters(path))[0]).toMatchObject({ id: 'bad-1', knativeerrorcode: 400 });
    expect(sink.counts.retries).toBe(0);
  });

  it('retries 404, 408, 409 and 429 like 5xx', async () => {
    const codes = [404, 408, 409, 429];
    const target = await serve((_req, index, res) => answer(res, codes[index] ?? 200));
    const sink = await delivering(target.url, { retry: 4 });
    await sink.send(comment('r1'));
    expect(target.received).toHaveLength(5);
  });

  it('gives up on an attempt after the per-attempt timeout and retries', async () => {
    const target = await serve((_req, index, res) => {
      if (index > 0) answer(res, 202); // the first request is left hanging
    });
    const sink = await delivering(target.url, { retry: 1, timeoutMs: 150 });
    await expect(sink.send(comment('t1'))).resolves.toBeUndefined();
    expect(target.received).toHaveLength(2);
    expect(sink.counts).toMatchObject({ delivered: 1, retries: 1 });
  });

  it('dead-letters a subscriber that never answers as code 500 with the timeout in knativeerrordata', async () => {
    const target = await serve(() => undefined);
    const path = join(dir, 'timeout.jsonl');
    const sink = await delivering(target.url, { retry: 1, timeoutMs: 100 }, new FileDeadLetterSink(path));
    await sink.send(comment('t2'));
    const [letter] = await fileLetters(path);
    expect(letter).toMatchObject({ id: 't2', knativeerrorcode: 500 });
    expect(Buffer.from(letter!.knativeerrordata as string, 'base64').toString()).toMatch(/timeout/);
  });

  it('waits for Retry-After on a 429 instead of the shorter backoff', async () => {
    const target = await serve((_req, index, res) =>
      index === 0 ? answer(res, 429, '', { 'retry-after': '1' }) : answer(res, 202),
    );
    const sink = await delivering(target.url, { retry: 1, backoffDelayMs: 1 });
    await sink.send(comment('ra1'));
    expect(target.received).toHaveLength(2);
    expect(target.received[1]!.at - target.received[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries a connection refused and dead-letters it with code 500', async () => {
    const closed = await serve(() => undefined);
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const path = join(dir, 'refused.jsonl');
    const sink = await delivering(closed.url, { retry: 2 }, new FileDeadLetterSink(path));
    await sink.send(comment('n1'));
    expect(sink.counts.retries).toBe(2);
    const [letter] = await fileLetters(path);
    expect(letter).toMatchObject({ id: 'n1', knativeerrorcode: 500, knativeerrordest: closed.url });
    expect(Buffer.from(letter!.knativeerrordata as string, 'base64').toString()).toMatch(
      /^dispatch error: .*ECONNREFUSED/,
    );
  });

  it('rejects send() without a dead-letter sink, so the pipeline keeps the event', async () => {
    const target = await serve((_req, _i, res) => answer(res, 503));
    const sink = await delivering(target.url, { retry: 1 });
    await expect(sink.send(comment('x1'))).rejects.toThrow(/answered 503/);
    expect(sink.counts.failed).toBe(1);
  });

  it('retries a failing dead-letter sink and rejects only when it keeps failing', async () => {
    const target = await serve((_req, _i, res) => answer(res, 503));
    const deadLetters = await serve((_req, _i, res) => answer(res, 503));
    const sink = await delivering(target.url, { retry: 0 }, new HttpSubscriberSink({ uri: deadLetters.url }));
    await expect(sink.send(comment('x2'))).rejects.toThrow(/dead-letter sink .* failed too/);
    expect(target.received).toHaveLength(1);
    expect(deadLetters.received).toHaveLength(4); // at least 3 retries for a dead letter
    expect(sink.counts).toMatchObject({ deadLetterFailures: 4, deadLettered: 0, failed: 1 });
  });

  it('returns the reply event of a 2xx answer (binary mode)', async () => {
    const target = await serve((req, _i, res) => {
      const reply = cloudEventToHttpMessage({
        specversion: '1.0',
        id: `reply-of-${String(req.headers['ce-id'])}`,
        source: '/subscriber',
        type: 'com.example.answer',
        data: { ok: true },
      });
      res.writeHead(200, reply.headers).end(reply.body);
    });
    const sink = await delivering(target.url, { retry: 0 });
    await expect(sink.send(comment('q1'))).resolves.toMatchObject({
      id: 'reply-of-q1',
      type: 'com.example.answer',
      data: { ok: true },
    });
  });

  it('returns nothing for a 2xx answer that is not a CloudEvent', async () => {
    const target = await serve((_req, _i, res) =>
      answer(res, 200, '{"just":"json"}', { 'content-type': 'application/json' }),
    );
    const sink = await delivering(target.url, { retry: 0 });
    await expect(sink.send(comment('q2'))).resolves.toBeUndefined();
  });

  it('holds at most `concurrency` requests in flight', async () => {
    let open = 0;
    let peak = 0;
    const target = await serve((_req, _i, res) => {
      open++;
      peak = Math.max(peak, open);
      setTimeout(() => {
        open--;
        answer(res, 202);
      }, 20);
    });
    const sink = new HttpSubscriberSink({ uri: target.url, concurrency: 3 });
    sinks.push(sink);
    await Promise.all(Array.from({ length: 12 }, (_, i) => sink.send(comment(`p${i}`))));
    expect(target.received).toHaveLength(12);
    expect(peak).toBe(3);
  });
});
