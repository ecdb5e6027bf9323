// `livepipe serve-model`: one model as an HTTP CloudEvents service, shaped like a Knative Service —
// POST an event with data.text, get the result event back as the reply (binary mode); /healthz,
// /readyz, a concurrency limit that answers 429 with Retry-After, and a graceful drain on SIGTERM.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LivepipeError, messageOf } from '../errors.js';
import { INGEST_TIME } from '../events/cloudevent.js';
import { cloudEventToHttpMessage, decodeHttpRequest } from '../events/http-binding.js';
import { discardUnreadBody, readRequestBody } from '../events/http-request-body.js';
import { loadModelManifest } from '../inference/model-registry.js';
import { InferencePool, isPoolRejection, type InferenceResult } from '../workers/index.js';
import { resultEvent, resultTypeOf } from '../inference/result-event.js';

export interface ModelServiceOptions {
  /** Path of the model manifest (YAML). */
  manifestPath: string;
  /** Default 0.0.0.0, as a container in a Knative Service listens. */
  host?: string;
  /** Default 8080 (Knative's $PORT default); 0 picks a free port. */
  port?: number;
  /** Inference worker threads (default 2). */
  workers?: number;
  /** Requests in flight at most (Knative containerConcurrency); more get 429 (default 64). */
  concurrency?: number;
  /** Type of the reply events; default `ai.<manifest name>.result` (resultTypeOf). */
  resultType?: string;
  maxBatch?: number;
  maxDelayMs?: number;
  /** Requests with a larger body get 413 (default 1 MiB). */
  maxBodyBytes?: number;
}

/** What happened to requests so far; every refused request is counted under its reason. */
export interface ModelServiceCounts {
  answered: number;
  /** 400: not a CloudEvent, or no string data.text. */
  invalid: number;
  /** 429: over the concurrency limit. */
  overLimit: number;
  /** 503: not ready, draining, or the pool shed the request. */
  unavailable: number;
  /** 500: inference failed. */
  failed: number;
}

const RETRY_AFTER_SECONDS = '1';
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export class ModelService {
  private readonly options: Required<Omit<ModelServiceOptions, 'resultType'>> & { resultType: string | undefined };
  private server: Server | undefined;
  private pool: InferencePool | undefined;
  private modelName = '';
  private resultType = '';
  private ready = false;
  private draining = false;
  private inFlightCount = 0;
  private listeningUrl: string | undefined;
  private idle: (() => void) | undefined;
  private readonly countsValue: ModelServiceCounts = {
    answered: 0,
    invalid: 0,
    overLimit: 0,
    unavailable: 0,
    failed: 0,
  };

  constructor(options: ModelServiceOptions) {
    const {
      manifestPath,
      host = '0.0.0.0',
      port = 8080,
      workers = 2,
      concurrency = 64,
      resultType,
      maxBatch = 32,
      maxDelayMs = 2,
      maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    } = options;
    if (typeof manifestPath !== 'string' || manifestPath.length === 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        'serve-model needs --model <manifest.yaml>, e.g. --model models/chat-sentiment.yaml',
      );
    }
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new LivepipeError('LP_CONFIG_INVALID', `--port ${port} must be an integer 0–65535`);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64)
      throw new LivepipeError('LP_CONFIG_INVALID', `--workers ${workers} must be an integer 1–64`);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new LivepipeError('LP_CONFIG_INVALID', `--concurrency ${concurrency} must be an integer >= 1`);
    if (resultType !== undefined && resultType.length === 0)
      throw new LivepipeError('LP_CONFIG_INVALID', '--result-type must not be empty');
    this.options = { manifestPath, host, port, workers, concurrency, resultType, maxBatch, maxDelayMs, maxBodyBytes };
  }

  /** The URL events are POSTed to; known once the server listens (before the model is ready). */
  get url(): string {
    if (this.listeningUrl === undefined)
      throw new LivepipeError('LP_PIPELINE_STATE', 'the model service is not listening; await start() first');
    return this.listeningUrl;
  }

  get model(): string {
    return this.modelName;
  }

  get isReady(): boolean {
    return this.ready && !this.draining;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get counts(): Readonly<ModelServiceCounts> {
    return this.countsValue;
  }

  /**
   * Validates the manifest, listens (so /healthz answers and /readyz says 503 while the model
   * loads), then starts the pool; resolves once ready.
   */
  async start(): Promise<void> {
    if (this.server) throw new LivepipeError('LP_PIPELINE_STATE', 'the model service was already started');
    const manifest = await loadModelManifest(this.options.manifestPath);
    this.modelName = manifest.name;
    this.resultType = resultTypeOf(manifest.name, this.options.resultType);
    this.pool = new InferencePool({
      manifestPath: this.options.manifestPath,
      workers: this.options.workers,
      maxBatch: this.options.maxBatch,
      maxDelayMs: this.options.maxDelayMs,
      // Requests beyond `concurrency` are refused before they reach the pool.
      queueLimit: this.options.concurrency,
    });
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.countsValue.failed++;
        if (!response.headersSent) this.answer(response, 500, `internal error: ${messageOf(error)}`);
        else response.destroy();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.listeningUrl = `http://${host}:${address.port}/`;
    try {
      await this.pool.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.ready = true;
  }

  /** Graceful drain: /readyz turns 503, new events get 503, requests in flight finish, then the pool and server close. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server || this.draining) return;
    this.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.inFlightCount > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.pool?.close();
    server.closeAllConnections();
    await closed;
    this.ready = false;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method === 'GET' && path === '/healthz') return this.answer(response, 200, undefined, { status: 'ok' });
    if (request.method === 'GET' && path === '/readyz') {
      return this.isReady
        ? this.answer(response, 200, undefined, { status: 'ready', model: this.modelName })
        : this.answer(response, 503, this.draining ? 'draining' : 'model loading');
    }
    if (path !== '/') return this.refuse(request, response, 404, 'POST CloudEvents to /; GET /healthz or /readyz');
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      return this.refuse(request, response, 405, 'CloudEvents are accepted with POST only');
    }
    if (!this.isReady) {
      this.countsValue.unavailable++;
      response.setHeader('retry-after', RETRY_AFTER_SECONDS);
      return this.refuse(
        request,
        response,
        503,
        this.draining ? 'the service is draining' : 'the model is still loading',
      );
    }
    if (this.inFlightCount >= this.options.concurrency) {
      this.countsValue.overLimit++;
      response.setHeader('retry-after', RETRY_AFTER_SECONDS);
      return this.refuse(
        request,
        response,
        429,
        `over the concurrency limit of ${this.options.concurrency} requests in flight`,
      );
    }
    this.inFlightCount++;
    try {
      await this.infer(request, response);
    } finally {
      this.inFlightCount--;
      if (this.inFlightCount === 0 && this.idle) {
        const idle = this.idle;
        this.idle = undefined;
        idle();
      }
    }
  }

  private async infer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    const body = await readRequestBody(request, this.options.maxBodyBytes);
    if (body === undefined)
      return this.refuse(request, response, 413, `request body is larger than ${this.options.maxBodyBytes} bytes`);
    const decoded = decodeHttpRequest(request.headers, body);
    if (!('events' in decoded)) {
      this.countsValue.invalid++;
      return this.answer(response, decoded.status, decoded.reason);
    }
    const events = decoded.events;
    const event = events[0];
    if (events.length !== 1 || event === undefined) {
      this.countsValue.invalid++;
      return this.answer(response, 400, `send one event per request, not a batch of ${events.length}`);
    }
    const text = (event.data as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string') {
      this.countsValue.invalid++;
      return this.answer(response, 400, `event ${event.id} has no string data.text for model ${this.modelName}`);
    }
    let result: InferenceResult;
    try {
      result = await this.pool!.infer({ id: event.id, text });
    } catch (error) {
      if (isPoolRejection(error) && error.reason !== 'worker-failed') {
        this.countsValue.unavailable++;
        response.setHeader('retry-after', RETRY_AFTER_SECONDS);
        return this.answer(response, 503, error.message);
      }
      this.countsValue.failed++;
      return this.answer(response, 500, messageOf(error));
    }
    if (event[INGEST_TIME] === undefined) event[INGEST_TIME] = arrivedAt;
    const reply = cloudEventToHttpMessage(resultEvent(this.modelName, this.resultType, event, text, result));
    this.countsValue.answered++;
    response.writeHead(200, reply.headers).end(reply.body ?? undefined);
  }

  /** Answers without reading the body: a small one is drained for keep-alive, a large one closes the connection. */
  private refuse(request: IncomingMessage, response: ServerResponse, status: number, reason: string): void {
    discardUnreadBody(request, response, this.options.maxBodyBytes);
    this.answer(response, status, reason);
  }

  private answer(response: ServerResponse, status: number, error: string | undefined, body?: unknown): void {
    response.writeHead(status, JSON_HEADERS).end(JSON.stringify(body ?? { error }));
  }
}

export interface ServeModelCommandOptions {
  model: string;
  host?: string;
  port?: string;
  workers?: string;
  concurrency?: string;
  resultType?: string;
}

/** The command: starts the service, prints where it listens, drains on SIGTERM/SIGINT. */
export async function serveModelCommand(
  options: ServeModelCommandOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<ModelService> {
  const service = new ModelService({
    manifestPath: options.model,
    host: options.host,
    port: integerOption(options.port, '--port', 8080),
    workers: integerOption(options.workers, '--workers', 2),
    concurrency: integerOption(options.concurrency, '--concurrency', 64),
    resultType: options.resultType,
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      out.write(`livepipe serve-model: ${signal}, draining ${service.inFlight} request(s)…\n`);
      await service.stop();
      out.write('livepipe serve-model: stopped\n');
    })();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await service.start();
  out.write(
    `livepipe serve-model: model "${service.model}" ready at ${service.url} (POST CloudEvents; GET /healthz, /readyz)\n`,
  );
  return service;
}

function integerOption(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value))
    throw new LivepipeError('LP_CONFIG_INVALID', `${flag} expects a whole number, got "${text}"`);
  return value;
}
