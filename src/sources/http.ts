// The HTTP ingress source: CloudEvents POSTed in binary, structured or batched mode (like a Knative
// Broker's ingress) are decoded on the hot path and delivered to the pipeline; the response waits
// for the pipeline's capacity, so a slow pipeline slows its HTTP producers instead of buffering
// without bound.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LivepipeError, messageOf } from '../errors.js';
import { INGEST_TIME } from '../events/cloudevent.js';
import { decodeHttpRequest } from '../events/http-binding.js';
import { discardUnreadBody, readRequestBody } from '../events/http-request-body.js';
import type { Source, SourceContext } from './source.js';

export interface HttpIngressOptions {
  host: string;
  /** 0 picks a free port; read `url` after start(). */
  port: number;
  /** The one path that accepts events (default `/`); others answer 404. */
  path?: string;
  /** Requests with a larger body are refused with 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

/** What happened to requests so far; every refused request is counted under its reason. */
export interface HttpIngressCounts {
  /** Events delivered to the pipeline. */
  accepted: number;
  /** Requests refused as invalid CloudEvents (400) or unsupported formats (415). */
  invalid: number;
  /** Requests over maxBodyBytes (413). */
  tooLarge: number;
  /** Requests without the right bearer token (401). */
  unauthorized: number;
  /** Requests answered 503 because the source was stopping. */
  unavailable: number;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Seconds a producer should wait before retrying after a 503: the source is restarting. */
const RETRY_AFTER_SECONDS = '1';
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export class HttpIngressSource implements Source {
  readonly name: string;
  private readonly host: string;
  private readonly port: number;
  private readonly path: string;
  private readonly maxBodyBytes: number;
  private readonly tokenDigest: Buffer | undefined;
  private server: Server | undefined;
  private context: SourceContext | undefined;
  private listeningUrl: string | undefined;
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly countsValue: HttpIngressCounts = {
    accepted: 0,
    invalid: 0,
    tooLarge: 0,
    unauthorized: 0,
    unavailable: 0,
  };

  constructor(name: string, options: HttpIngressOptions) {
    const { host, port, path = '/', maxBodyBytes = DEFAULT_MAX_BODY_BYTES, token } = options;
    if (typeof host !== 'string' || host.length === 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `HTTP source "${name}": host must be a host name or address such as 127.0.0.1 or 0.0.0.0`,
      );
    }
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `HTTP source "${name}": port ${port} must be an integer from 0 to 65535 (0 picks a free port)`,
      );
    }
    if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?')) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `HTTP source "${name}": path ${JSON.stringify(path)} must start with / and have no query`,
      );
    }
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `HTTP source "${name}": maxBodyBytes ${maxBodyBytes} must be a positive integer`,
      );
    }
    if (token !== undefined && (typeof token !== 'string' || token.length === 0)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `HTTP source "${name}": token must be a non-empty string, or left out to accept requests without one`,
      );
    }
    this.name = name;
    this.host = host;
    this.port = port;
    this.path = path;
    this.maxBodyBytes = maxBodyBytes;
    // Comparing fixed-length digests keeps the check constant-time whatever the presented length.
    this.tokenDigest = token === undefined ? undefined : digest(`Bearer ${token}`);
  }

  /** The URL events are POSTed to; available once start() has resolved. */
  get url(): string {
    if (this.listeningUrl === undefined) {
      throw new LivepipeError(
        'LP_PIPELINE_STATE',
        `HTTP source "${this.name}" is not listening; await start() before reading its url`,
      );
    }
    return this.listeningUrl;
  }

  get counts(): Readonly<HttpIngressCounts> {
    return this.countsValue;
  }

  /** Resolves once the server listens. */
  async start(context: SourceContext): Promise<void> {
    if (this.server) return;
    this.context = context;
    this.stopping = false;
    const server = createServer((request, response) => {
      const handled = this.handle(request, response).catch((error: unknown) => {
        // Not a refusal we chose: a bug. Answer 500 rather than leave the producer hanging.
        if (!response.headersSent) this.refuse(request, response, 500, `internal error: ${messageOf(error)}`);
        else response.destroy();
      });
      this.inFlight.add(handled);
      void handled.finally(() => this.inFlight.delete(handled));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.listeningUrl = `http://${host}:${address.port}${this.path}`;
  }

  /** Refuses new requests (503), waits for requests already delivering events, closes. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.stopping = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.allSettled([...this.inFlight]);
    server.closeAllConnections();
    await closed;
    this.server = undefined;
    this.listeningUrl = undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    if ((query === -1 ? url : url.slice(0, query)) !== this.path) {
      return this.refuse(request, response, 404, `no CloudEvents ingress at this path; POST to ${this.path}`);
    }
    if (request.method !== 'POST') {
      response.setHeader('allow', 'POST');
      return this.refuse(request, response, 405, 'CloudEvents are accepted with POST only');
    }
    if (this.tokenDigest !== undefined && !this.authorized(request)) {
      this.countsValue.unauthorized++;
      response.setHeader('www-authenticate', 'Bearer');
      return this.refuse(request, response, 401, 'missing or wrong bearer token; send Authorization: Bearer <token>');
    }
    if (this.stopping) return this.unavailable(request, response, `HTTP source "${this.name}" is stopping`);
    const declaredLength = Number(request.headers['content-length']);
    if (declaredLength > this.maxBodyBytes) return this.tooLarge(request, response);

    const body = await readRequestBody(request, this.maxBodyBytes);
    if (body === undefined) return this.tooLarge(request, response);

    const decoded = decodeHttpRequest(request.headers, body);
    if (!('events' in decoded)) {
      this.countsValue.invalid++;
      return this.reply(response, decoded.status, decoded.reason);
    }
    const context = this.context!;
    for (const event of decoded.events) {
      if (event[INGEST_TIME] === undefined) event[INGEST_TIME] = arrivedAt;
      // Events of a batch before this one were delivered: a retried batch delivers them again
      // (at-least-once, as Knative's ingress).
      if (this.stopping) return this.unavailable(request, response, `HTTP source "${this.name}" is stopping`);
      // Like a Knative ingress, 202 means the pipeline took the event, not that every subscriber
      // has handled it; waiting for room is what holds a producer back.
      void context.deliver(event);
      this.countsValue.accepted++;
      const room = context.capacity();
      if (room !== undefined) await room;
    }
    response.writeHead(202).end();
  }

  private authorized(request: IncomingMessage): boolean {
    const presented = request.headers.authorization;
    if (presented === undefined) return false;
    return timingSafeEqual(digest(presented), this.tokenDigest!);
  }

  private tooLarge(request: IncomingMessage, response: ServerResponse): void {
    this.countsValue.tooLarge++;
    this.refuse(request, response, 413, `request body is larger than ${this.maxBodyBytes} bytes; send smaller batches`);
  }

  private unavailable(request: IncomingMessage, response: ServerResponse, reason: string): void {
    this.countsValue.unavailable++;
    response.setHeader('retry-after', RETRY_AFTER_SECONDS);
    this.refuse(request, response, 503, reason);
  }

  /**
   * Answers, possibly before the body was read: a body within the limit is drained so the
   * connection can be reused; a larger or unknown one is not read, and the connection closes.
   */
  private refuse(request: IncomingMessage, response: ServerResponse, status: number, reason: string): void {
    discardUnreadBody(request, response, this.maxBodyBytes);
    this.reply(response, status, reason);
  }

  private reply(response: ServerResponse, status: number, reason: string): void {
    response.writeHead(status, JSON_HEADERS).end(JSON.stringify({ error: reason }));
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
