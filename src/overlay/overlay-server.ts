// The overlay's HTTP server (node:http): the index of streams, the overlay page per stream, its
// static files, /healthz, routes mounted by the pipeline (e.g. /metrics), and the WebSocket hub on
// the same port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { LivepipeError } from '../errors.js';
import { renderIndexPage } from './index-page.js';
import type { OverlayFanout } from './overlay-fanout.js';
import { WEBSOCKET_PATH } from './protocol.js';
import { loadStaticAssets, type StaticAsset } from './static-assets.js';
import { WebSocketHub, type OverlayHooks, type OverlayStats } from './websocket-hub.js';

export type OverlayRoute = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface OverlayOptions {
  host: string;
  /** 0 picks a free port; `url` reports the bound one after start(). */
  port: number;
  /** Messages a new client's snapshot carries. */
  snapshotSize: number;
  /** Extra routes by exact path, e.g. `{ '/metrics': handler }`; they get every method. */
  routes?: Record<string, OverlayRoute>;
  /** Unsent bytes after which a client counts as slow and misses messages (default 1 MiB). */
  slowClientBytes?: number;
  /** Messages kept per room for `since` resumes (default max(snapshotSize, 1000)). */
  historySize?: number;
  /** WebSocket ping interval; dead clients go after two (default 30 s). */
  heartbeatMs?: number;
  hooks?: OverlayHooks;
  logger?: Logger;
  /**
   * Shares messages with the overlay servers of other instances (e.g. RedisOverlayFanout): a
   * client of any instance then gets every message of its stream, numbered the same everywhere.
   */
  fanout?: OverlayFanout;
}

const OVERLAY_PREFIX = '/overlay/';
const STATIC_PREFIX = '/static/';
const OVERLAY_PAGE = 'overlay.html';
const BUILT_IN_PATHS = new Set(['/', '/healthz', WEBSOCKET_PATH]);
const DEFAULT_SLOW_CLIENT_BYTES = 1024 * 1024;
const DEFAULT_HISTORY_SIZE = 1000;
const DEFAULT_HEARTBEAT_MS = 30_000;

const PAGE_HEADERS = {
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'",
};

export class OverlayServer {
  private readonly hub: WebSocketHub;
  private readonly routes: Map<string, OverlayRoute>;
  private readonly logger: Logger;
  private readonly server: Server;
  private assets = new Map<string, StaticAsset>();
  private baseUrl: string | undefined;
  private state: 'new' | 'starting' | 'listening' | 'closed' = 'new';

  constructor(private readonly options: OverlayOptions) {
    validateOptions(options);
    this.logger = options.logger ?? pino({ name: 'livepipe-overlay', level: 'warn' });
    this.routes = new Map(Object.entries(options.routes ?? {}));
    this.hub = new WebSocketHub({
      snapshotSize: options.snapshotSize,
      historySize: options.historySize ?? Math.max(options.snapshotSize, DEFAULT_HISTORY_SIZE),
      slowClientBytes: options.slowClientBytes ?? DEFAULT_SLOW_CLIENT_BYTES,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      logger: this.logger,
      ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
    });
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) =>
      this.hub.handleUpgrade(request, socket, head),
    );
  }

  async start(): Promise<void> {
    if (this.state !== 'new') {
      throw new LivepipeError(
        'LP_PIPELINE_STATE',
        `OverlayServer.start() called on a ${this.state} server; create a new OverlayServer instead.`,
      );
    }
    this.state = 'starting';
    this.assets = await loadStaticAssets();
    const fanout = this.options.fanout;
    if (fanout !== undefined) {
      try {
        await fanout.start((message) => this.hub.deliver(message));
      } catch (error) {
        this.state = 'closed';
        throw error;
      }
    }
    if (!this.assets.has(OVERLAY_PAGE)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `The overlay page ${OVERLAY_PAGE} is missing next to the overlay module; rebuild (npm run build copies src/overlay/public to dist/overlay/public).`,
      );
    }
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        this.state = 'closed';
        if (error.code === 'EADDRINUSE') {
          reject(
            new LivepipeError(
              'LP_CONFIG_INVALID',
              `overlay.port ${port} on ${host} is in use; choose a free port, or 0 for any free port.`,
              { cause: error },
            ),
          );
        } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
          reject(
            new LivepipeError(
              'LP_CONFIG_INVALID',
              `overlay.host ${host} is not an address of this machine; use 127.0.0.1 or 0.0.0.0.`,
              { cause: error },
            ),
          );
        } else {
          reject(error);
        }
        void fanout?.close();
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    this.baseUrl = `http://${urlHost}:${address.port}`;
    this.state = 'listening';
  }

  /** `http://host:port` with the port actually bound. */
  get url(): string {
    if (this.baseUrl === undefined) {
      throw new LivepipeError(
        'LP_PIPELINE_STATE',
        'The overlay server has no URL before start() has resolved; await start() first.',
      );
    }
    return this.baseUrl;
  }

  overlayUrl(stream: string): string {
    return `${this.url}${overlayPath(stream)}`;
  }

  /**
   * Sends synchronously to the stream's clients and returns the message's seq in its room. With a
   * fan-out, the message goes to every instance instead and reaches this instance's clients when
   * it comes back numbered; the seq is not known yet and 0 is returned.
   */
  publish(stream: string, channel: string, data: unknown): number {
    const fanout = this.options.fanout;
    if (fanout !== undefined) {
      fanout.publish(stream, channel, data, Date.now());
      return 0;
    }
    return this.hub.publish(stream, channel, data);
  }

  stats(): OverlayStats {
    return this.hub.stats();
  }

  async close(): Promise<void> {
    if (this.state === 'closed' && !this.server.listening) {
      await this.hub.close();
      return;
    }
    this.state = 'closed';
    await this.hub.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.options.fanout?.close();
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const target = request.url ?? '/';
    const query = target.indexOf('?');
    const path = query === -1 ? target : target.slice(0, query);

    const route = this.routes.get(path);
    if (route !== undefined) {
      this.runRoute(route, path, request, response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', 'Only GET and HEAD are served here.\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (path === '/') {
      const html = renderIndexPage(this.hub.summaries(), overlayPath);
      send(response, 200, 'text/html; charset=utf-8', html, PAGE_HEADERS);
    } else if (path === '/healthz') {
      const stats = this.hub.stats();
      send(
        response,
        200,
        'application/json; charset=utf-8',
        JSON.stringify({ status: 'ok', clients: stats.clients, rooms: stats.rooms }),
      );
    } else if (
      path.startsWith(OVERLAY_PREFIX) &&
      path.length > OVERLAY_PREFIX.length &&
      !path.includes('/', OVERLAY_PREFIX.length)
    ) {
      // The page reads its stream from its own path, so one file serves every stream.
      this.sendAsset(response, OVERLAY_PAGE);
    } else if (path.startsWith(STATIC_PREFIX)) {
      this.sendAsset(response, path.slice(STATIC_PREFIX.length));
    } else {
      send(response, 404, 'text/plain; charset=utf-8', 'Not found. The index of overlays is at /.\n');
    }
  }

  private sendAsset(response: ServerResponse, name: string): void {
    const asset = this.assets.get(name);
    if (asset === undefined) {
      send(response, 404, 'text/plain; charset=utf-8', 'Not found. The index of overlays is at /.\n');
      return;
    }
    send(response, 200, asset.contentType, asset.body, PAGE_HEADERS);
  }

  private runRoute(route: OverlayRoute, path: string, request: IncomingMessage, response: ServerResponse): void {
    const fail = (error: unknown): void => {
      this.logger.error({ err: error, path }, 'overlay route handler failed');
      if (!response.headersSent)
        send(response, 500, 'text/plain; charset=utf-8', `The handler for ${path} failed; see the server log.\n`);
      else response.destroy();
    };
    try {
      const result = route(request, response);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}

function overlayPath(stream: string): string {
  return `${OVERLAY_PREFIX}${encodeURIComponent(stream)}`;
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function validateOptions(options: OverlayOptions): void {
  const invalid = (field: string, what: string): LivepipeError =>
    new LivepipeError('LP_CONFIG_INVALID', `overlay.${field} ${what}`);
  if (typeof options.host !== 'string' || options.host.length === 0) {
    throw invalid('host', 'must be an address to listen on, e.g. 127.0.0.1 (local) or 0.0.0.0 (all interfaces).');
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw invalid('port', `is ${options.port}; use a port 1-65535, or 0 for any free port.`);
  }
  if (!Number.isInteger(options.snapshotSize) || options.snapshotSize < 0) {
    throw invalid(
      'snapshotSize',
      `is ${options.snapshotSize}; use the number of recent messages a new overlay receives (an integer >= 0, e.g. 50).`,
    );
  }
  const positiveIntegers: Array<[string, number | undefined]> = [
    ['slowClientBytes', options.slowClientBytes],
    ['historySize', options.historySize],
    ['heartbeatMs', options.heartbeatMs],
  ];
  for (const [field, value] of positiveIntegers) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
      throw invalid(field, `is ${value}; use a positive integer or leave it out for the default.`);
    }
  }
  for (const [path, handler] of Object.entries(options.routes ?? {})) {
    if (!path.startsWith('/') || path.includes('?')) {
      throw invalid('routes', `has the path "${path}"; a route is an exact path starting with /, e.g. /metrics.`);
    }
    if (BUILT_IN_PATHS.has(path) || path.startsWith(OVERLAY_PREFIX) || path.startsWith(STATIC_PREFIX)) {
      throw invalid(
        'routes',
        `has the path "${path}", which the overlay server serves itself; mount the handler elsewhere.`,
      );
    }
    if (typeof handler !== 'function') {
      throw invalid('routes', `has a non-function handler for "${path}"; pass (request, response) => void.`);
    }
  }
}
