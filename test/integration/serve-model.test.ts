// `livepipe serve-model` with the real ONNX sentiment model: a comment POSTed as a CloudEvent is
// answered with its sentiment result event (binary mode); readiness, refusals, the concurrency
// limit, and the SIGTERM drain of the real CLI process.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelService } from '../../src/cli/serve-model-command.js';
import { loadPipeline } from '../../src/config/load-pipeline.js';
import { isLivepipeError } from '../../src/errors.js';
import { Router } from '../../src/router/router.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { cloudEventToHttpMessage, httpRequestToCloudEvents } from '../../src/events/http-binding.js';
import { loadModelManifest } from '../../src/inference/model-registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MANIFEST = fileURLToPath(new URL('../../models/chat-sentiment.yaml', import.meta.url));

const CHINESE_MANIFEST = fileURLToPath(new URL('../../models/chat-sentiment-zh.yaml', import.meta.url));
// Built by `npm run models:build-chat` into the model cache; .ci/run builds it, elsewhere it may be absent.
const chineseBuilt = await loadModelManifest(CHINESE_MANIFEST).then(
  () => true,
  (error: unknown) => {
    if (!isLivepipeError(error) || error.code !== 'LP_MODEL_NOT_FOUND') throw error;
    if (process.env.CI === 'true')
      throw new Error(`serve-model: CI=true requires the built Chinese model: ${error.message}`);
    return false;
  },
);

function comment(id: string, data: unknown): LiveEvent {
  return { specversion: '1.0', id, source: '/live/streams/s1', type: 'live.comment', stream: 's1', data };
}

async function post(
  url: string,
  event: LiveEvent,
): Promise<{ status: number; headers: Headers; events: LiveEvent[]; text: string }> {
  const message = cloudEventToHttpMessage(event);
  const response = await fetch(url, {
    method: 'POST',
    headers: message.headers,
    body: message.body === null ? null : new Uint8Array(message.body),
  });
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const events = response.ok && headers['ce-specversion'] !== undefined ? httpRequestToCloudEvents(headers, body) : [];
  return { status: response.status, headers: response.headers, events, text: body.toString() };
}

describe('serve-model (in process)', () => {
  let service: ModelService;

  beforeAll(async () => {
    service = new ModelService({ manifestPath: MANIFEST, host: '127.0.0.1', port: 0, workers: 1, concurrency: 1 });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('is live and ready once the pool started', async () => {
    expect((await fetch(`${service.url}healthz`)).status).toBe(200);
    const ready = await fetch(`${service.url}readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', model: 'chat-sentiment' });
  });

  it('answers a comment with its sentiment result as a binary-mode reply event', async () => {
    const positive = await post(
      service.url,
      comment('c-pos', { text: 'this stream is amazing, love it', viewer: { id: 'v1' } }),
    );
    expect(positive.status).toBe(200);
    expect(positive.events).toHaveLength(1);
    expect(positive.events[0]).toMatchObject({
      type: 'ai.chat-sentiment.result',
      id: 'c-pos/chat-sentiment',
      source: '/livepipe/models/chat-sentiment',
      causeid: 'c-pos',
      stream: 's1',
      data: {
        text: 'this stream is amazing, love it',
        label: 'positive',
        model: 'chat-sentiment',
        viewer: { id: 'v1' },
      },
    });
    const negative = await post(service.url, comment('c-neg', { text: 'terrible awful boring waste of time' }));
    expect(negative.events[0]).toMatchObject({ causeid: 'c-neg', data: { label: 'negative' } });
  });

  it("answers with the type the demo pipeline's result trigger matches (one rule: ai.<manifest name>.result)", async () => {
    const demo = await loadPipeline(`${ROOT}pipelines/live-interaction.yaml`);
    // The demo's model is this service's manifest, so a serve-model reply is what its pool emits.
    expect(demo.models.find((model) => model.name === 'chat-sentiment')?.manifest).toBe(MANIFEST);
    const router = new Router(demo.triggers.map((trigger) => ({ ...trigger, target: trigger.name })));
    const reply = await post(service.url, comment('c-rule', { text: 'gg, well played' }));
    expect(reply.events[0]?.type).toBe(demo.models[0]?.resultType);
    expect(router.match(reply.events[0]!)).toEqual(['scored-comments-to-overlay']);
  });

  it('answers 400 to an event without text, and to a request that is not a CloudEvent', async () => {
    const noText = await post(service.url, comment('c-none', { likes: 3 }));
    expect(noText.status).toBe(400);
    expect(noText.text).toContain('data.text');
    const plain = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(plain.status).toBe(400);
  });

  it('answers 429 with Retry-After over the concurrency limit', async () => {
    // Hold the only slot with a request whose body never finishes.
    const held = request(service.url, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'slow',
        'ce-source': '/s',
        'ce-type': 't',
        'content-type': 'application/json',
        'content-length': '100',
      },
    });
    held.on('error', () => undefined);
    held.write('{"text":');
    await expect.poll(() => service.inFlight).toBe(1);
    const refused = await post(service.url, comment('c-over', { text: 'hello' }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    held.destroy();
    await expect.poll(() => service.inFlight).toBe(0);
    expect((await post(service.url, comment('c-after', { text: 'hello again' }))).status).toBe(200);
  });
});

describe.skipIf(!chineseBuilt)('serve-model with the Chinese model (in process)', () => {
  it('answers a Chinese comment with its label in data.label', async () => {
    const service = new ModelService({ manifestPath: CHINESE_MANIFEST, host: '127.0.0.1', port: 0, workers: 1 });
    await service.start();
    try {
      const lag = await post(service.url, comment('zh-1', { text: '卡得不行，看不下去了' }));
      expect(lag.status).toBe(200);
      expect(lag.events[0]).toMatchObject({
        type: 'ai.chat-sentiment-zh.result',
        causeid: 'zh-1',
        data: { label: 'negative', model: 'chat-sentiment-zh' },
      });
      const praise = await post(service.url, comment('zh-2', { text: '主播太厉害了，爱了' }));
      expect(praise.events[0]).toMatchObject({ data: { label: 'positive' } });
    } finally {
      await service.stop();
    }
  });
});

describe('serve-model drain', () => {
  it('finishes a request in flight before stop() resolves', async () => {
    const service = new ModelService({ manifestPath: MANIFEST, host: '127.0.0.1', port: 0, workers: 1 });
    await service.start();
    const body = JSON.stringify({ text: 'good game everyone' });
    const held = request(service.url, {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'drain-1',
        'ce-source': '/s',
        'ce-type': 'live.comment',
        'content-type': 'application/json',
        'content-length': String(body.length),
      },
    });
    const answered = new Promise<{ status: number; causeid: unknown }>((resolve, reject) => {
      held.on('response', (response) => {
        response.resume();
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, causeid: response.headers['ce-causeid'] }),
        );
      });
      held.on('error', reject);
    });
    held.write(body.slice(0, 5));
    await expect.poll(() => service.inFlight).toBe(1);
    let stopped = false;
    const stopping = service.stop().then(() => (stopped = true));
    expect(service.isReady).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    held.end(body.slice(5));
    expect(await answered).toEqual({ status: 200, causeid: 'drain-1' });
    await stopping;
    expect(stopped).toBe(true);
  });
});

describe('serve-model (CLI process)', () => {
  let child: ChildProcess;
  let url: string;
  let output = '';

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'serve-model',
        '--model',
        MANIFEST,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--workers',
        '1',
        '--result-type',
        'ai.sentiment.result',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    url = await new Promise<string>((resolve, reject) => {
      const look = (): void => {
        const found = /ready at (http:\/\/\S+)/.exec(output)?.[1];
        if (found !== undefined) resolve(found);
      };
      child.stdout!.on('data', look);
      child.once('exit', (code) =>
        reject(new Error(`serve-model exited with ${code} before it was ready:\n${output}`)),
      );
    });
  }, 40_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves the --result-type reply, then drains and exits 0 on SIGTERM', async () => {
    const answer = await post(url, comment('cli-1', { text: 'what a great play' }));
    expect(answer.status).toBe(200);
    expect(answer.events[0]).toMatchObject({ type: 'ai.sentiment.result', causeid: 'cli-1' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM, draining');
    expect(output).toContain('stopped');
  }, 30_000);
});
