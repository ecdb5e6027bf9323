// Checks a decoded candidate against the CloudEvents 1.0 context-attribute rules, shared by the
// binary and structured decoders of every binding. Checks are char loops and one precompiled
// regex so they stay cheap on the per-event path.
import { INGEST_TIME, type LiveEvent } from './cloudevent.js';
import { CloudEventDecodeError } from './cloudevent-decode-error.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** CloudEvents attribute names: lower-case ASCII letters and digits, at least one. */
export function isAttributeName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

/**
 * Throws a CloudEventDecodeError naming the first broken rule. Messages carry no location: the
 * binding prefixes one (withDecodeContext) only when it throws, so the happy path builds no strings.
 */
export function assertContextAttributes(candidate: Record<string, unknown>): asserts candidate is LiveEvent {
  const specversion = candidate.specversion;
  if (specversion !== '1.0') {
    throw new CloudEventDecodeError(
      specversion === undefined
        ? `missing specversion; a CloudEvent must carry specversion "1.0"`
        : `unsupported specversion ${JSON.stringify(specversion)}; livepipe reads CloudEvents 1.0 only`,
    );
  }
  requireString(candidate, 'id');
  requireString(candidate, 'source');
  requireString(candidate, 'type');
  optionalString(candidate, 'subject');
  optionalString(candidate, 'datacontenttype');
  optionalString(candidate, 'dataschema');
  const time = candidate.time;
  if (time !== undefined && (typeof time !== 'string' || !RFC3339.test(time))) {
    throw new CloudEventDecodeError(
      `time ${JSON.stringify(time)} is not an RFC 3339 timestamp (e.g. 2018-04-05T03:56:24Z)`,
    );
  }
}

/**
 * ingesttime is a number inside livepipe, but binary-mode headers carry every attribute as text:
 * turn a header's digits back into epoch milliseconds, and reject anything that is not one.
 */
export function normalizeIngestTime(event: LiveEvent): void {
  const value = event[INGEST_TIME];
  if (value === undefined || typeof value === 'number') return;
  const parsed = typeof value === 'string' && value.length > 0 ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed)) {
    throw new CloudEventDecodeError(`${INGEST_TIME} ${JSON.stringify(value)} is not epoch milliseconds`);
  }
  event[INGEST_TIME] = parsed;
}

function requireString(candidate: Record<string, unknown>, name: string): void {
  const value = candidate[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new CloudEventDecodeError(
      value === undefined
        ? `missing required attribute ${name}`
        : `attribute ${name} must be a non-empty string, got ${JSON.stringify(value)}`,
    );
  }
}

function optionalString(candidate: Record<string, unknown>, name: string): void {
  const value = candidate[name];
  if (value !== undefined && typeof value !== 'string') {
    throw new CloudEventDecodeError(`attribute ${name} must be a string, got ${JSON.stringify(value)}`);
  }
}
