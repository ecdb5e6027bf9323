// The event shape every stage passes along: a CloudEvent 1.0 as a plain object, attributes and
// extensions as top-level keys plus `data`. Plain objects keep the hot path free of SDK overhead.

export interface LiveEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: unknown;
  /** Extension attributes (lower-case alphanumeric names, CloudEvents 1.0). */
  [extension: string]: unknown;
}

/** Extension: when the event entered livepipe (or the broker timestamp), epoch milliseconds. */
export const INGEST_TIME = 'ingesttime';
/** Extension on result events: the id of the event a model result was computed from. */
export const CAUSE_ID = 'causeid';
/** Extension on result events: the stream (room) the result belongs to. */
export const STREAM = 'stream';
/** Extension on comments: the language of `data.text` (`en`, `zh`), set at ingest for routing. */
export const LANGUAGE = 'language';

const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/** CloudEvents 1.0 extension names: lower-case letters and digits only (20 chars recommended). */
export function isValidExtensionName(name: string): boolean {
  return EXTENSION_NAME.test(name);
}

export function ingestTimeOf(event: LiveEvent): number | undefined {
  const value = event[INGEST_TIME];
  return typeof value === 'number' ? value : undefined;
}
