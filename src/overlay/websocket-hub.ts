// The WebSocket side of the overlay: one room per live stream, fan-out of each published message
// to the room's clients, resume from the ring buffer, per-client backpressure and heartbeats.
// A slow client never blocks the others: past its byte limit it is skipped until it drains.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { FanoutMessage } from './overlay-fanout.js';
import { Room } from './room.js';
import { WEBSOCKET_PATH } from './protocol.js';

export interface WebSocketHubOptions {
  /** Messages a snapshot carries. */
  snapshotSize: number;
  /** Messages kept per room for `since` resumes (the ring is max(snapshotSize, historySize)). */
  historySize: number;
  /** A client whose unsent bytes exceed this is slow: its messages are dropped until it drains. */
  slowClientBytes: number;
  /** Ping interval; a client that has not answered the previous ping by the next one is dropped. */
  heartbeatMs: number;
  logger: Logger;
  hooks?: OverlayHooks;
}

/** Called synchronously on the publishing path, so the pipeline can record `push` and counters. */
export interface OverlayHooks {
  /** After each publish: how long the fan-out took and how many clients got / missed the message. */
  onPublish?(stream: string, channel: string, durationMs: number, sent: number, dropped: number): void;
  /** A client went over the slow-client limit (once per episode, until it drains). */
  onSlowClient?(stream: string): void;
  /** A slow client drained and was sent a snapshot in place of the messages it missed. */
  onResync?(stream: string): void;
}

export interface OverlayStats {
  /** Connected clients now. */
  clients: number;
  /** Rooms that exist now (a stream with messages, or with clients waiting for them). */
  rooms: number;
  /** Frames written to clients since start (messages, resumed messages and snapshots). */
  sent: number;
  /** Messages not written to a client because it was over the slow-client limit. */
  dropped: number;
  /** Times a client went over the slow-client limit since start. */
  slowClients: number;
  /** Times a slow client drained and was re-synced with a snapshot since start. */
  resyncs: number;
}

export interface RoomSummary {
  stream: string;
  seq: number;
  clients: number;
}

interface RoomEntry {
  room: Room;
  clients: Set<HubClient>;
}

interface HubClient {
  ws: WebSocket;
  entry: RoomEntry;
  alive: boolean;
  /** Over the slow-client limit: messages are dropped until it drains, then it gets a snapshot. */
  lagging: boolean;
}

const MAX_STREAM_LENGTH = 128;
const SEND_TEXT = { binary: false } as const;
const DRAIN_CHECK_MS = 50;
const CLOSE_GRACE_MS = 1000;

export class WebSocketHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    // Pages never send anything meaningful; a small cap keeps a misbehaving client cheap.
    maxPayload: 4096,
  });
  private readonly rooms = new Map<string, RoomEntry>();
  private readonly clients = new Set<HubClient>();
  private readonly lagging = new Set<HubClient>();
  private readonly drainedBelow: number;
  private readonly heartbeat: NodeJS.Timeout;
  private drainTimer: NodeJS.Timeout | undefined;
  private sent = 0;
  private dropped = 0;
  private slowClients = 0;
  private resyncs = 0;
  private closed = false;

  constructor(private readonly options: WebSocketHubOptions) {
    // Half the limit before resuming, so a client hovering at the limit does not get a snapshot
    // on every other message.
    this.drainedBelow = Math.floor(options.slowClientBytes / 2);
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Appends to the stream's room and writes the message to every client of that room. */
  publish(stream: string, channel: string, data: unknown): number {
    const hooks = this.options.hooks;
    const started = hooks?.onPublish === undefined ? 0 : performance.now();
    const entry = this.roomFor(stream);
    const message = entry.room.append(channel, data, Date.now());
    this.fanOut(entry, message, stream, channel, started);
    return entry.room.seq;
  }

  /**
   * Appends a message numbered by the fan-out (see Room.appendAt) and writes it to the room's
   * clients; a seq the room already has is skipped. Returns whether it was new.
   */
  deliver(message: FanoutMessage): boolean {
    const hooks = this.options.hooks;
    const started = hooks?.onPublish === undefined ? 0 : performance.now();
    const entry = this.roomFor(message.stream);
    const encoded = entry.room.appendAt(message.seq, message.channel, message.data, message.ts);
    if (encoded === undefined) return false;
    this.fanOut(entry, encoded, message.stream, message.channel, started);
    return true;
  }

  private fanOut(entry: RoomEntry, message: string, stream: string, channel: string, started: number): void {
    const hooks = this.options.hooks;
    let sent = 0;
    let dropped = 0;
    if (entry.clients.size > 0) {
      // One buffer for the whole room: ws frames it per client without copying the payload.
      const frame = Buffer.from(message);
      const limit = this.options.slowClientBytes;
      for (const client of entry.clients) {
        const ws = client.ws;
        if (ws.readyState !== WebSocket.OPEN) continue;
        if (client.lagging) {
          if (ws.bufferedAmount <= this.drainedBelow) {
            this.resync(client);
            sent++;
          } else {
            dropped++;
          }
          continue;
        }
        if (ws.bufferedAmount > limit) {
          this.markSlow(client);
          dropped++;
          continue;
        }
        ws.send(frame, SEND_TEXT);
        sent++;
      }
      this.sent += sent;
      this.dropped += dropped;
    }
    hooks?.onPublish?.(stream, channel, performance.now() - started, sent, dropped);
  }

  /**
   * Takes over an HTTP upgrade for `/ws?stream=<id>[&since=<seq>]`; answers anything else with an
   * HTTP error and closes the socket.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://overlay.invalid');
    if (url.pathname !== WEBSOCKET_PATH) {
      rejectUpgrade(socket, 404, `WebSocket endpoint is ${WEBSOCKET_PATH}?stream=<id>`);
      return;
    }
    if (this.closed) {
      rejectUpgrade(socket, 503, 'overlay server is shutting down');
      return;
    }
    const stream = url.searchParams.get('stream');
    if (stream === null || stream.length === 0 || stream.length > MAX_STREAM_LENGTH) {
      rejectUpgrade(
        socket,
        400,
        `connect to ${WEBSOCKET_PATH}?stream=<id> with a stream id of 1-${MAX_STREAM_LENGTH} characters`,
      );
      return;
    }
    const sinceParam = url.searchParams.get('since');
    let since: number | undefined;
    if (sinceParam !== null) {
      since = Number(sinceParam);
      if (!Number.isSafeInteger(since) || since < 0) {
        rejectUpgrade(socket, 400, 'since must be the last seq the client received (an integer >= 0)');
        return;
      }
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.attach(ws, stream, since));
  }

  /** The known streams, sorted by id, for the index page. */
  summaries(): RoomSummary[] {
    const out: RoomSummary[] = [];
    for (const entry of this.rooms.values()) {
      out.push({ stream: entry.room.stream, seq: entry.room.seq, clients: entry.clients.size });
    }
    return out.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  }

  stats(): OverlayStats {
    return {
      clients: this.clients.size,
      rooms: this.rooms.size,
      sent: this.sent,
      dropped: this.dropped,
      slowClients: this.slowClients,
      resyncs: this.resyncs,
    };
  }

  /** Closes every client with 1001 (going away), and terminates those that do not finish in time. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.stopDrainTimer();
    const pending: Promise<void>[] = [];
    for (const client of this.clients) {
      const ws = client.ws;
      pending.push(new Promise((resolve) => ws.once('close', () => resolve())));
      ws.close(1001, 'overlay server shutting down');
    }
    if (pending.length > 0) {
      let grace: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        grace = setTimeout(resolve, CLOSE_GRACE_MS);
      });
      await Promise.race([Promise.all(pending), timedOut]);
      clearTimeout(grace);
      for (const client of this.clients) client.ws.terminate();
    }
    this.wss.close();
  }

  private attach(ws: WebSocket, stream: string, since: number | undefined): void {
    const entry = this.roomFor(stream);
    const client: HubClient = { ws, entry, alive: true, lagging: false };
    // Node runs this to completion before any publish, so nothing can slip between the history
    // sent here and the first live message.
    const missed = since === undefined ? undefined : entry.room.since(since);
    if (missed === undefined) {
      ws.send(entry.room.snapshot());
      this.sent++;
    } else {
      for (const message of missed) ws.send(message);
      this.sent += missed.length;
    }
    entry.clients.add(client);
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('error', (error) => {
      this.options.logger.debug({ err: error, stream }, 'overlay client socket error');
    });
    ws.on('close', () => this.detach(client));
  }

  private detach(client: HubClient): void {
    this.clients.delete(client);
    this.lagging.delete(client);
    const entry = client.entry;
    entry.clients.delete(client);
    // A room a client opened for a stream that never published holds nothing worth keeping.
    if (entry.clients.size === 0 && entry.room.seq === 0) this.rooms.delete(entry.room.stream);
  }

  private roomFor(stream: string): RoomEntry {
    let entry = this.rooms.get(stream);
    if (entry === undefined) {
      entry = {
        room: new Room(stream, this.options.snapshotSize, this.options.historySize),
        clients: new Set(),
      };
      this.rooms.set(stream, entry);
    }
    return entry;
  }

  private markSlow(client: HubClient): void {
    client.lagging = true;
    this.slowClients++;
    this.lagging.add(client);
    this.options.logger.warn(
      { stream: client.entry.room.stream, bufferedBytes: client.ws.bufferedAmount },
      'overlay client is too slow; dropping its messages until it catches up',
    );
    this.options.hooks?.onSlowClient?.(client.entry.room.stream);
    if (this.drainTimer === undefined) {
      // Without further publishes a drained client would wait forever for its snapshot.
      this.drainTimer = setInterval(() => this.checkDrained(), DRAIN_CHECK_MS);
      this.drainTimer.unref();
    }
  }

  private resync(client: HubClient): void {
    client.lagging = false;
    this.resyncs++;
    this.lagging.delete(client);
    if (this.lagging.size === 0) this.stopDrainTimer();
    client.ws.send(client.entry.room.snapshot());
    this.options.hooks?.onResync?.(client.entry.room.stream);
  }

  private checkDrained(): void {
    for (const client of this.lagging) {
      if (client.ws.readyState !== WebSocket.OPEN) {
        this.lagging.delete(client);
      } else if (client.ws.bufferedAmount <= this.drainedBelow) {
        this.resync(client);
        this.sent++;
      }
    }
    if (this.lagging.size === 0) this.stopDrainTimer();
  }

  private stopDrainTimer(): void {
    if (this.drainTimer !== undefined) {
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
    }
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.options.logger.info(
          { stream: client.entry.room.stream },
          'overlay client missed a heartbeat; dropping it',
        );
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }
}

function rejectUpgrade(socket: Duplex, status: 400 | 404 | 503, reason: string): void {
  const text = { 400: 'Bad Request', 404: 'Not Found', 503: 'Service Unavailable' }[status];
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
