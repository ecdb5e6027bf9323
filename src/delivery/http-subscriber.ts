// A Knative Addressable as a Sink: each event is POSTed as a CloudEvent (binary mode by default)
// over keep-alive connections, at most `concurrency` at a time. A 2xx answer that carries a
// CloudEvent is the reply; any other answer rejects with a DeliveryFailure for the retry policy.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { LivepipeError, messageOf } from '../errors.js';
import { FifoQueue } from '../collections/fifo-queue.js';
import type { LiveEvent } from '../events/cloudevent.js';
import { isCloudEventDecodeError } from '../events/cloudevent-decode-error.js';
import {
  cloudEventToHttpMessage,
  cloudEventToStructuredHttpMessage,
  httpRequestToCloudEvents,
  type HttpCloudEventMessage,
} from '../events/http-binding.js';
import { DeliveryFailure } from './delivery-failure.js';
import { honoursRetryAfter, isRetryableStatus } from './delivery-policy.js';
import { parseRetryAfter } from './retry-after.js';
import type { Sink } from './sink.js';

export type HttpContentMode = 'binary' | 'structured';

export interface HttpSubscriberOptions {
  uri: string;
  /** Default binary. */
  format?: HttpContentMode;
  /** Requests in flight at most (default 64); more wait for a slot. */
  concurrency?: number;
  /** Limit of one request, from the moment it has a slot (default 10 s). */
  timeoutMs?: number;
  /** A larger response body fails the attempt (default 1 MiB). */
  maxResponseBytes?: number;
  /** For metrics and dead letters; default `http:<uri>`. */
  name?: string;
}

const DEFAULT_CONCURRENCY = 64;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export class HttpSubscriberSink implements Sink {
  readonly name: string;
  readonly uri: string;
  private readonly url: URL;
  private readonly encode: (event: LiveEvent) => HttpCloudEventMessage;
  private readonly request: typeof httpRequest;
  private readonly agent: HttpAgent;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private inFlight = 0;
  private readonly waiting = new FifoQueue<() => void>();
  private closed = false;

  constructor(options: HttpSubscriberOptions) {
    const {
      uri,
      format = 'binary',
      concurrency = DEFAULT_CONCURRENCY,
      timeoutMs = DEFAULT_TIMEOUT_MS,
      maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
    } = options;
    let url: URL;
    try {
      url = new URL(uri);
    } catch (error) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `subscriber uri ${JSON.stringify(uri)} is not a URL; write an absolute one such as http://127.0.0.1:8080/`,
        { cause: error },
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new LivepipeError('LP_CONFIG_INVALID', `subscriber uri ${uri} must be http:// or https://`);
    }
    if (format !== 'binary' && format !== 'structured') {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `subscriber format ${JSON.stringify(format)} must be "binary" or "structured"`,
      );
    }
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new LivepipeError('LP_CONFIG_INVALID', `subscriber concurrency ${concurrency} must be a whole number >= 1`);
    }
    if (!(timeoutMs > 0))
      throw new LivepipeError('LP_CONFIG_INVALID', `subscriber timeout ${timeoutMs} ms must be > 0`);
    this.uri = uri;
    this.url = url;
    this.name = options.name ?? `http:${uri}`;
    this.encode = format === 'binary' ? cloudEventToHttpMessage : cloudEventToStructuredHttpMessage;
    const https = url.protocol === 'https:';
    this.request = https ? (httpsRequest as unknown as typeof httpRequest) : httpRequest;
    this.agent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency })
      : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
    this.concurrency = concurrency;
    this.timeoutMs = timeoutMs;
    this.maxResponseBytes = maxResponseBytes;
  }

  async start(): Promise<void> {
    this.closed = false;
  }

  /** One attempt: resolves with the reply event (if any) on a 2xx; rejects with a DeliveryFailure otherwise. */
  async send(event: LiveEvent): Promise<LiveEvent | undefined> {
    if (this.closed) {
      throw new DeliveryFailure('network', `subscriber ${this.uri} is closed`, { retryable: false });
    }
    const message = this.encode(event);
    // A finishing request hands its slot straight to the oldest waiter (inFlight stays put), so a
    // send() arriving before that waiter resumes cannot take the slot as well.
    if (this.inFlight >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight++;
    try {
      return await this.post(message);
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.inFlight--;
      else next();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.agent.destroy();
  }

  private post(message: HttpCloudEventMessage): Promise<LiveEvent | undefined> {
    return new Promise((resolve, reject) => {
      const headers: OutgoingHttpHeaders = { ...message.headers, prefer: 'reply' };
      const body = message.body;
      headers['content-length'] = body === null ? 0 : body.length;
      let settled = false;
      const fail = (failure: DeliveryFailure): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(failure);
      };
      const request = this.request(this.url, { method: 'POST', headers, agent: this.agent }, (response) => {
        this.readResponse(response).then(
          (outcome) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(outcome);
          },
          (error: unknown) => fail(error instanceof DeliveryFailure ? error : networkFailure(this.uri, error)),
        );
      });
      const timer = setTimeout(() => {
        fail(
          new DeliveryFailure('timeout', `subscriber ${this.uri} did not answer within ${this.timeoutMs} ms`, {
            body: Buffer.from(`dispatch error: timeout after ${this.timeoutMs} ms`, 'utf8'),
            retryable: true,
          }),
        );
        request.destroy();
      }, this.timeoutMs);
      request.on('error', (error) => fail(networkFailure(this.uri, error)));
      request.end(body ?? undefined);
    });
  }

  private async readResponse(response: IncomingMessage): Promise<LiveEvent | undefined> {
    const status = response.statusCode ?? 0;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxResponseBytes) {
        response.destroy();
        throw new DeliveryFailure(
          'bad-reply',
          `subscriber ${this.uri} answered ${status} with a body over ${this.maxResponseBytes} bytes`,
          {
            status,
            body: Buffer.concat(chunks),
            retryable: false,
          },
        );
      }
      chunks.push(chunk);
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    if (status < 200 || status > 299) {
      const retryAfterMs = honoursRetryAfter(status) ? parseRetryAfter(response.headers['retry-after']) : undefined;
      throw new DeliveryFailure('status', `subscriber ${this.uri} answered ${status}`, {
        status,
        body,
        retryAfterMs,
        retryable: isRetryableStatus(status),
      });
    }
    if (!carriesCloudEvent(response)) return undefined;
    let events: LiveEvent[];
    try {
      events = httpRequestToCloudEvents(response.headers, body);
    } catch (error) {
      if (!isCloudEventDecodeError(error)) throw error;
      // The subscriber took the event; a retry would repeat its side effects for the same bad reply.
      throw new DeliveryFailure(
        'bad-reply',
        `subscriber ${this.uri} answered ${status} with a reply that is not a valid CloudEvent: ${error.message}`,
        {
          status,
          body,
          retryable: false,
          cause: error,
        },
      );
    }
    if (events.length !== 1) {
      throw new DeliveryFailure(
        'bad-reply',
        `subscriber ${this.uri} answered with a batch of ${events.length} events; a reply is one event`,
        { status, body, retryable: false },
      );
    }
    return events[0];
  }
}

/** Knative discards a response that is no CloudEvent (EncodingUnknown); binary needs ce-specversion. */
function carriesCloudEvent(response: IncomingMessage): boolean {
  if (response.headers['ce-specversion'] !== undefined) return true;
  const type = response.headers['content-type'];
  return type?.toLowerCase().startsWith('application/cloudevents') === true;
}

function networkFailure(uri: string, error: unknown): DeliveryFailure {
  const message = messageOf(error);
  return new DeliveryFailure('network', `subscriber ${uri} could not be reached: ${message}`, {
    body: Buffer.from(`dispatch error: ${message}`, 'utf8'),
    retryable: true,
    cause: error,
  });
}
