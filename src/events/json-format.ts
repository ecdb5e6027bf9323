// The CloudEvents JSON event format (structured and batched modes): envelope ⇄ LiveEvent.
// `data_base64` becomes a Buffer in `data` and a Buffer in `data` goes back out as `data_base64`.
import type { LiveEvent } from './cloudevent.js';
import { CloudEventDecodeError, withDecodeContext } from './cloudevent-decode-error.js';
import { assertContextAttributes, isAttributeName, normalizeIngestTime } from './context-attributes.js';

const DATA_BASE64 = 'data_base64';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses one structured-mode payload (a JSON envelope) into a LiveEvent. */
export function parseStructuredEvent(payload: Buffer | string): LiveEvent {
  return eventFromEnvelope(parseJson(payload));
}

/** Parses a batched-mode payload (a JSON array of envelopes); an empty array is allowed. */
export function parseEventBatch(payload: Buffer | string): LiveEvent[] {
  const parsed = parseJson(payload);
  if (!Array.isArray(parsed)) {
    throw new CloudEventDecodeError(`a CloudEvents batch must be a JSON array of events`);
  }
  const events = new Array<LiveEvent>(parsed.length);
  for (let i = 0; i < parsed.length; i++) {
    try {
      events[i] = eventFromEnvelope(parsed[i]);
    } catch (error) {
      throw withDecodeContext(error, `batch entry ${i}`);
    }
  }
  return events;
}

/** Validates a parsed envelope and turns it into a LiveEvent, reusing the parsed object. */
export function eventFromEnvelope(envelope: unknown): LiveEvent {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) {
    throw new CloudEventDecodeError(`a structured CloudEvent must be a JSON object`);
  }
  const candidate = envelope as Record<string, unknown>;
  for (const name in candidate) {
    if (name === DATA_BASE64 || isAttributeName(name)) continue;
    throw new CloudEventDecodeError(
      `attribute name ${JSON.stringify(name)} is invalid; CloudEvents attribute names are lower-case letters and digits`,
    );
  }
  assertContextAttributes(candidate);
  const base64 = candidate[DATA_BASE64];
  if (base64 !== undefined) {
    if (candidate.data !== undefined)
      throw new CloudEventDecodeError(`an event carries either data or data_base64, not both`);
    if (typeof base64 !== 'string' || !BASE64.test(base64))
      throw new CloudEventDecodeError(`data_base64 must be a base64 string`);
    delete candidate[DATA_BASE64];
    candidate.data = Buffer.from(base64, 'base64');
  }
  normalizeIngestTime(candidate);
  return candidate;
}

/** The JSON envelope of an event: the event itself, or a copy with bytes moved to data_base64. */
export function envelopeOf(event: LiveEvent): Record<string, unknown> {
  if (!(event.data instanceof Uint8Array)) return event;
  const envelope: Record<string, unknown> = {};
  for (const name in event) if (name !== 'data') envelope[name] = event[name];
  envelope[DATA_BASE64] = Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength).toString(
    'base64',
  );
  return envelope;
}

/** Serializes an event in the JSON event format. */
export function serializeStructuredEvent(event: LiveEvent): string {
  return JSON.stringify(envelopeOf(event));
}

function parseJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (error) {
    throw new CloudEventDecodeError(`structured CloudEvent is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}
