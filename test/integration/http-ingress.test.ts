// The HTTP ingress source on a real socket (port 0) with real fetch requests.
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventsToHttpBatchMessage, cloudEventToHttpMessage } from '../../src/events/http-binding.js';
import { HttpIngressSource } from '../../src/sources/http.js';
import { LivepipeError } from '../../src/errors.js';
import { type RecordingSourceContext, recordingSourceContext } from '../support/recording-source-context.js';

const started: HttpIngressSource[] = [];

/** A started source and the events it delivered. */
async function startSource(
  options: { path?: string; maxBodyBytes?: number; token?: string } = {},
  recording: RecordingSourceContext = recordingSourceContext(),
): Promise<{ source: HttpIngressSource; received: LiveEvent[] }> {
  const source = new HttpIngressSource('ingress', { host: '127.0.0.1', port: 0, ...options });
  await source.start(recording.context);
  started.push(source);
  return { source, received: recording.delivered };
}

/** A capacity() that says "no room" until release() is called. */
function noRoomUntilReleased(): { capacity: () => Promise<void>; release: () => void } {
  let release!: () => void;
  const room = new Promise<void>((resolve) => (release = resolve));
  return { capacity: () => room, release };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((source) => source.stop()));
});

function chat(id: string, extra: Partial<LiveEvent> = {}): LiveEvent {
  return {
    specversion: '1.0',
    id,
    source: '/streams/s1',
    type: 'live.chat',
    stream: 's1',
    data: { text: `hello ${id}` },
    ...extra,
  };
}

/** fetch() takes bytes as a Uint8Array view; a Buffer is one, but the DOM typings do not say so. */
function bodyOf(body: Buffer | null): Uint8Array<ArrayBuffer> | null {
  return body === null ? null : new Uint8Array(body);
}

function binaryRequest(event: LiveEvent, headers: Record<string, string> = {}): RequestInit {
  const message = cloudEventToHttpMessage(event);
  return { method: 'POST', headers: { ...message.headers, ...headers }, body: bodyOf(message.body) };
}

describe('HttpIngressSource', () => {
  it('accepts a binary-mode event with 202 and delivers it with an arrival ingesttime', async () => {
    const { source, received } = await startSource();
    expect(source.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const before = Date.now();
    const response = await fetch(source.url, binaryRequest(chat('a1')));
    expect(response.status).toBe(202);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ id: 'a1', type: 'live.chat', stream: 's1', data: { text: 'hello a1' } });
    expect(received[0]!.ingesttime).toBeGreaterThanOrEqual(before);
    expect(received[0]!.ingesttime).toBeLessThanOrEqual(Date.now());
  });

  it('keeps an ingesttime the producer already set', async () => {
    const { source, received } = await startSource();
    await fetch(source.url, binaryRequest(chat('a2', { ingesttime: 1_700_000_000_000 })));
    expect(received[0]!.ingesttime).toBe(1_700_000_000_000);
  });

  it('delivers every event of a batched request, in order', async () => {
    const { source, received } = await startSource();
    const events = Array.from({ length: 25 }, (_, i) => chat(`b${i}`));
    const batch = cloudEventsToHttpBatchMessage(events);
    const response = await fetch(source.url, { method: 'POST', headers: batch.headers, body: bodyOf(batch.body) });
    expect(response.status).toBe(202);
    expect(received.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(source.counts.accepted).toBe(25);
  });

  it('accepts structured mode and answers only once the pipeline has room', async () => {
    const { capacity, release } = noRoomUntilReleased();
    const { source, received } = await startSource({}, recordingSourceContext({ capacity }));
    let answered = false;
    const pending = fetch(source.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(chat('s1')),
    }).then((response) => {
      answered = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    expect(received.map((e) => e.id)).toEqual(['s1']);
    release();
    expect((await pending).status).toBe(202);
  });

  it('does not wait for a delivery to complete before answering', async () => {
    const { source, received } = await startSource(
      {},
      recordingSourceContext({ settle: () => new Promise<void>(() => undefined) }),
    );
    expect((await fetch(source.url, binaryRequest(chat('d1')))).status).toBe(202);
    expect(received.map((e) => e.id)).toEqual(['d1']);
  });

  it('answers 503 with Retry-After for the rest of a batch when the source stops while it waits for room', async () => {
    const { capacity, release } = noRoomUntilReleased();
    const { source, received } = await startSource({}, recordingSourceContext({ capacity }));
    const batch = cloudEventsToHttpBatchMessage([chat('r1'), chat('r2')]);
    const pending = fetch(source.url, { method: 'POST', headers: batch.headers, body: bodyOf(batch.body) });
    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = source.stop();
    release();
    const response = await pending;
    await stopped;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: string }).error).toMatch(/is stopping/);
    expect(received.map((e) => e.id)).toEqual(['r1']);
    expect(source.counts).toMatchObject({ accepted: 1, unavailable: 1 });
  });

  it('answers 400 with the reason for an invalid event', async () => {
    const { source, received } = await startSource();
    const missingType = binaryRequest(chat('x1'));
    delete (missingType.headers as Record<string, string>)['ce-type'];
    const response = await fetch(source.url, missingType);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'missing required attribute type' });
    const badJson = await fetch(source.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: '{"id":',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/not valid JSON/);
    expect(received).toHaveLength(0);
    expect(source.counts.invalid).toBe(2);
  });

  it('answers 415 for a CloudEvents format other than JSON', async () => {
    const { source } = await startSource();
    const response = await fetch(source.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+avro' },
      body: 'x',
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: string }).error).toMatch(/not supported/);
  });

  it('answers 413 over the body limit, declared or streamed', async () => {
    const { source, received } = await startSource({ maxBodyBytes: 1024 });
    const big = binaryRequest(chat('big', { data: { text: 'x'.repeat(4096) } }));
    const declared = await fetch(source.url, big);
    expect(declared.status).toBe(413);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(512).fill(0x20));
        controller.close();
      },
    });
    const streamed = await fetch(source.url, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(received).toHaveLength(0);
    expect(source.counts.tooLarge).toBe(2);
    // A body within the limit still goes through afterwards.
    expect((await fetch(source.url, binaryRequest(chat('small')))).status).toBe(202);
  });

  it('answers 405 to other methods and 404 to other paths', async () => {
    const { source } = await startSource({ path: '/events' });
    const get = await fetch(source.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const other = await fetch(new URL('/elsewhere', source.url), binaryRequest(chat('p1')));
    expect(other.status).toBe(404);
    expect((await fetch(`${source.url}?x=1`, binaryRequest(chat('p2')))).status).toBe(202);
  });

  it('requires the bearer token when one is configured', async () => {
    const { source, received } = await startSource({ token: 's3cret' });
    expect((await fetch(source.url, binaryRequest(chat('t1')))).status).toBe(401);
    const wrong = await fetch(source.url, binaryRequest(chat('t2'), { authorization: 'Bearer s3cre' }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(source.url, binaryRequest(chat('t3'), { authorization: 'Bearer s3cret' }))).status).toBe(202);
    expect(received.map((e) => e.id)).toEqual(['t3']);
    expect(source.counts.unauthorized).toBe(2);
  });

  it('refuses bad options at construction and a url before start', () => {
    expect(() => new HttpIngressSource('x', { host: '127.0.0.1', port: 70000 })).toThrow(LivepipeError);
    expect(() => new HttpIngressSource('x', { host: '127.0.0.1', port: 0, path: 'events' })).toThrow(
      /must start with \//,
    );
    expect(() => new HttpIngressSource('x', { host: '127.0.0.1', port: 0, maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => new HttpIngressSource('x', { host: '127.0.0.1', port: 0 }).url).toThrow(/await start/);
  });

  it('stops listening after stop()', async () => {
    const { source } = await startSource();
    const url = source.url;
    await source.stop();
    await expect(fetch(url, binaryRequest(chat('late')))).rejects.toThrow();
  });
});
