// The CloudEvents HTTP protocol binding: binary (`ce-` headers), structured
// (application/cloudevents+json) and batched (application/cloudevents-batch+json) modes, decoded
// directly from node:http's lower-cased headers and the body bytes; and the binary-mode encoder.
import { attributeText } from './attribute-text.js';
import { completeBinaryModeEvent } from './binary-mode-event.js';
import type { LiveEvent } from './cloudevent.js';
import { CloudEventDecodeError, isCloudEventDecodeError } from './cloudevent-decode-error.js';
import { isAttributeName } from './context-attributes.js';
import { encodeEventData, isJsonEncoded } from './event-data.js';
import { parseEventBatch, parseStructuredEvent, serializeStructuredEvent } from './json-format.js';
import { MediaKind, mediaKindOf } from './media-type.js';

/** Request headers as node:http presents them: names lower-cased. */
export type HttpHeaders = Record<string, string | string[] | undefined>;

export interface HttpCloudEventMessage {
  headers: Record<string, string>;
  body: Buffer | null;
}

const CE_PREFIX = 'ce-';
const CONTENT_TYPE = 'content-type';

/**
 * All events in one request: one for binary and structured mode, any number for batched mode.
 * Throws CloudEventDecodeError; `unsupportedMediaType` is set for a CloudEvents format other than JSON.
 */
export function httpRequestToCloudEvents(headers: HttpHeaders, body: Buffer): LiveEvent[] {
  const contentType = headerText(headers[CONTENT_TYPE]);
  if (contentType !== undefined) {
    const kind = mediaKindOf(contentType);
    if (kind === MediaKind.CloudEventJson) return [parseStructuredEvent(requireBody(body))];
    if (kind === MediaKind.CloudEventBatchJson) return parseEventBatch(requireBody(body));
    if (kind === MediaKind.CloudEventOther) {
      throw new CloudEventDecodeError(
        `content type ${JSON.stringify(contentType)} is not supported; send application/cloudevents+json, application/cloudevents-batch+json or binary mode (ce- headers)`,
        { unsupportedMediaType: true },
      );
    }
  }
  return [decodeBinary(headers, contentType, body)];
}

/** A server's reading of a request: its events, or the status and reason to refuse it with. */
export type DecodedHttpRequest =
  | { readonly events: LiveEvent[] }
  | { readonly status: 400 | 415; readonly reason: string };

/**
 * httpRequestToCloudEvents for a server: an invalid event is refused with 400, a CloudEvents format
 * other than JSON with 415. Anything but a CloudEventDecodeError (a bug) still throws.
 */
export function decodeHttpRequest(headers: HttpHeaders, body: Buffer): DecodedHttpRequest {
  try {
    return { events: httpRequestToCloudEvents(headers, body) };
  } catch (error) {
    if (!isCloudEventDecodeError(error)) throw error;
    return { status: error.unsupportedMediaType ? 415 : 400, reason: error.message };
  }
}

/** Binary content mode: attributes as percent-encoded `ce-` headers, datacontenttype as Content-Type. */
export function cloudEventToHttpMessage(event: LiveEvent): HttpCloudEventMessage {
  const headers: Record<string, string> = {};
  for (const name in event) {
    if (name === 'data' || name === 'datacontenttype') continue;
    const value = event[name];
    if (value !== undefined && value !== null)
      headers[CE_PREFIX + name] = percentEncodeHeaderValue(attributeText(value));
  }
  let contentType = event.datacontenttype;
  if (contentType === undefined && isJsonEncoded(event.data, undefined)) contentType = 'application/json';
  if (contentType !== undefined) headers[CONTENT_TYPE] = contentType;
  return { headers, body: encodeEventData(event.data, contentType) };
}

/** Structured content mode: one JSON envelope. */
export function cloudEventToStructuredHttpMessage(event: LiveEvent): HttpCloudEventMessage {
  return {
    headers: { [CONTENT_TYPE]: 'application/cloudevents+json; charset=utf-8' },
    body: Buffer.from(serializeStructuredEvent(event), 'utf8'),
  };
}

/** Batched content mode: a JSON array of envelopes. */
export function cloudEventsToHttpBatchMessage(events: readonly LiveEvent[]): HttpCloudEventMessage {
  let json = '[';
  for (let i = 0; i < events.length; i++) json += (i === 0 ? '' : ',') + serializeStructuredEvent(events[i]!);
  return {
    headers: { [CONTENT_TYPE]: 'application/cloudevents-batch+json; charset=utf-8' },
    body: Buffer.from(`${json}]`, 'utf8'),
  };
}

function decodeBinary(headers: HttpHeaders, contentType: string | undefined, body: Buffer): LiveEvent {
  if (headers['ce-specversion'] === undefined) {
    throw new CloudEventDecodeError(
      'request is not a CloudEvent: send binary mode (ce-specversion, ce-id, ce-source, ce-type headers) or Content-Type application/cloudevents+json',
    );
  }
  const candidate: Record<string, unknown> = {};
  for (const name in headers) {
    if (!name.startsWith(CE_PREFIX)) continue;
    const raw = headerText(headers[name]);
    if (raw === undefined) continue;
    const attribute = name.slice(3);
    if (!isAttributeName(attribute)) {
      throw new CloudEventDecodeError(
        `header ${JSON.stringify(name)} does not name a CloudEvents attribute (letters and digits after ce-)`,
      );
    }
    candidate[attribute] = decodeHeaderValue(raw, name);
  }
  return completeBinaryModeEvent(candidate, contentType, body);
}

function requireBody(body: Buffer): Buffer {
  if (body.length === 0) throw new CloudEventDecodeError('structured or batched CloudEvents request has an empty body');
  return body;
}

function headerText(value: string | string[] | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return value[value.length - 1];
}

/**
 * Spec 3.1.3.2: unescape a double-quoted value, then one round of percent-decoding; byte
 * sequences that are not UTF-8 (e.g. overlong %C0%A0) are rejected.
 */
export function decodeHeaderValue(raw: string, name = 'header'): string {
  let value = raw.trim();
  if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) {
    value = value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch (error) {
    throw new CloudEventDecodeError(`${name} value ${JSON.stringify(raw)} is not valid percent-encoded UTF-8`, {
      cause: error,
    });
  }
}

/** Spec 3.1.3.2: percent-encode space, double-quote, percent and anything outside U+0021–U+007E. */
export function percentEncodeHeaderValue(value: string): string {
  let clean = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x25) {
      clean = false;
      break;
    }
  }
  if (clean) return value;
  let encoded = '';
  for (const char of value) {
    const c = char.codePointAt(0)!;
    if (c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x25) encoded += char;
    else {
      for (const byte of Buffer.from(char, 'utf8'))
        encoded += `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
    }
  }
  return encoded;
}
