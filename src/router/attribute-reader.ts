// Reads one CloudEvent attribute off a plain event object as Knative's filters see it: core
// attributes always exist (unset reads as ""), extensions exist only when set, values compare as strings.

export type EventRecord = Record<string, unknown>;

/** Returns the attribute's string form, or undefined when the event does not carry it. */
export type AttributeReader = (event: EventRecord) => string | undefined;

/**
 * Context attributes Knative's attributes filter always defines (unset ones read as ""), so
 * `subject: ""` passes an event without a subject while an absent extension fails.
 */
const CORE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
]);

/** Attribute names every filter kind accepts: CloudEvents names are lower-case letters and digits. */
export const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

function stringForm(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  // Objects are not attribute values; `data` and nested payloads are for CEL.
  return undefined;
}

/** Builds the reader once per filter key, so the hot path is a property read and a typeof. */
export function attributeReader(name: string): AttributeReader {
  if (name === 'data') return () => undefined;
  if (name === 'schemaurl') return attributeReader('dataschema');
  if (name === 'datamediatype') {
    return (event) => {
      const contentType = stringForm(event.datacontenttype) ?? '';
      const semicolon = contentType.indexOf(';');
      return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim();
    };
  }
  if (CORE_ATTRIBUTES.has(name)) {
    return (event) => {
      const value = event[name];
      return typeof value === 'string' ? value : (stringForm(value) ?? '');
    };
  }
  return (event) => {
    const value = event[name];
    return typeof value === 'string' ? value : stringForm(value);
  };
}
