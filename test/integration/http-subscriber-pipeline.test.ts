// A pipeline with uri subscribers: a reply from the subscriber re-enters the router and reaches the
// overlay through a second trigger (as in a Knative Broker); a trigger without its own delivery
// inherits the pipeline's, and its undeliverable events land in the pipeline's dead-letter file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parsePipeline } from '../../src/config/index.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventToHttpMessage, httpRequestToCloudEvents } from '../../src/events/http-binding.js';
import { LivePipeline } from '../../src/pipeline.js';

interface Frame {
  kind: 'snapshot' | 'message';
  channel?: string;
  data?: { id?: string; type?: string; causeid?: string; data?: unknown };
  messages?: Frame[];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('pipeline with uri subscribers', () => {
  let dir: string;
  let pipeline: LivePipeline;
  let client: WebSocket;
  const frames: Frame[] = [];
  const servers: Server[] = [];
  let serviceAttempts = 0;
  let brokenAttempts = 0;
  let brokenUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'livepipe-uri-'));
    // A service that fails once, then answers each comment with an event of a new type.
    const service = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        serviceAttempts++;
        if (serviceAttempts === 1) {
          response.writeHead(503).end();
          return;
        }
        const [event] = httpRequestToCloudEvents(request.headers, Buffer.concat(chunks));
        const text = (event!.data as { text: string }).text;
        const reply = cloudEventToHttpMessage({
          specversion: '1.0',
          id: `answer-${event!.id}`,
          source: '/services/shouter',
          type: 'com.example.shouted',
          data: { shout: text.toUpperCase() },
        });
        response.writeHead(200, reply.headers).end(reply.body);
      });
    });
    const broken = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        brokenAttempts++;
        response.writeHead(500).end('broken for good');
      });
    });
    servers.push(service, broken);
    const serviceUrl = await listen(service);
    brokenUrl = await listen(broken);
    const yaml = `
apiVersion: livepipe/v1
kind: Pipeline
metadata: { name: uri-subscribers }
sources:
  - name: ingress
    http: { port: 0 }
triggers:
  - name: comments-to-shouter
    filters: [{ exact: { type: live.comment } }]
    subscriber: { uri: "${serviceUrl}" }
    delivery: { retry: 2, backoffPolicy: linear, backoffDelay: PT0.01S }
  - name: shouted-to-overlay
    filter: { attributes: { type: com.example.shouted } }
    subscriber: { overlay: shouted }
  - name: gifts-to-broken
    filters: [{ exact: { type: live.gift } }]
    subscriber: { uri: "${brokenUrl}", format: structured }
  - name: votes-nowhere
    filters: [{ exact: { type: live.vote } }]
    subscriber: { uri: "${brokenUrl}" }
    delivery: { retry: 0, backoffDelay: PT0.001S, deadLetterSink: { uri: "${brokenUrl}" } }
delivery:
  retry: 1
  backoffDelay: PT0.01S
  deadLetterSink: { file: "${join(dir, 'dead-letters.jsonl')}" }
overlay: { port: 0 }
metrics: { statusEvery: 0s }
`;
    pipeline = new LivePipeline(parsePipeline(yaml, join(dir, 'pipeline.yaml')));
    await pipeline.start();
    client = new WebSocket(`${pipeline.overlay.url.replace('http', 'ws')}/ws?stream=s1`);
    client.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Frame;
      frames.push(...(frame.kind === 'snapshot' ? (frame.messages ?? []) : [frame]));
    });
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  });

  afterAll(async () => {
    client?.close();
    await pipeline?.stop();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('routes the subscriber reply back through the router to the overlay', async () => {
    const comment: LiveEvent = {
      specversion: '1.0',
      id: 'cm-1',
      source: '/live/streams/s1',
      type: 'live.comment',
      stream: 's1',
      data: { text: 'gg well played' },
    };
    await pipeline.ingest('test', comment);
    expect(serviceAttempts).toBe(2); // one 503, one retry that replied
    await expect.poll(() => frames.find((frame) => frame.channel === 'shouted')).toBeDefined();
    const shouted = frames.find((frame) => frame.channel === 'shouted')!;
    expect(shouted.data).toMatchObject({
      id: 'answer-cm-1',
      type: 'com.example.shouted',
      causeid: 'cm-1',
      data: { shout: 'GG WELL PLAYED' },
    });
  });

  it('applies the pipeline delivery to a trigger without its own and dead-letters to its file', async () => {
    const gift: LiveEvent = {
      specversion: '1.0',
      id: 'gift-1',
      source: '/live/streams/s1',
      type: 'live.gift',
      stream: 's1',
      data: { gift: { value: 5 } },
    };
    await pipeline.ingest('test', gift);
    expect(brokenAttempts).toBe(2); // pipeline delivery: retry 1
    const lines = (await readFile(join(dir, 'dead-letters.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const letter = JSON.parse(lines[0]!) as LiveEvent;
    expect(letter).toMatchObject({ id: 'gift-1', knativeerrordest: brokenUrl, knativeerrorcode: 500 });
    expect(Buffer.from(letter.knativeerrordata as string, 'base64').toString()).toBe('broken for good');
    // Handed to the dead-letter sink, so not a pipeline drop.
    expect(pipeline.deadLetters.count).toBe(0);
  });

  it('keeps and counts an event whose dead-letter sink fails too, as dead-letter-failed', async () => {
    const vote: LiveEvent = {
      specversion: '1.0',
      id: 'vote-1',
      source: '/live/streams/s1',
      type: 'live.vote',
      stream: 's1',
      data: { option: 'a' },
    };
    const before = brokenAttempts;
    await pipeline.ingest('test', vote);
    expect(brokenAttempts - before).toBe(1 + 4); // one attempt, then the dead-letter sink's 1 + 3 retries
    expect(pipeline.deadLetters.recent().find((letter) => letter.event?.id === 'vote-1')).toMatchObject({
      reason: 'dead-letter-failed',
      destination: `http:${brokenUrl}`,
    });
    const metrics = await (await fetch(`${pipeline.overlay.url}/metrics`)).text();
    expect(metrics).toMatch(/livepipe_events_dropped_total\{[^}]*reason="dead-letter-failed"[^}]*\} 1/);
  });
});
