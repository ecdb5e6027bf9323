// Reads one CloudEvent attribute off a plain event object as Knative's attributes.LookupAttribute
// (pkg/eventfilter/attributes/filter.go) sees it: core attributes always exist (unset reads as ""),
// extensions exist only when set.

export type EventRecord = Record<string, unknown>;

/** Returns the attribute's value, or undefined when the event does not carry it. */
export type AttributeReader = (event: EventRecord) => unknown;

/**
 * Context attributes LookupAttribute always defines (unset ones read as ""), so `subject` exists on
 * an event without one while an absent extension does not.
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
  'datacontentencoding',
]);

/** Knative's webhook rule for attribute names in filters (trigger_validation.go): a lower-case letter, then letters and digits. */
export const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;

/** The string form exact/prefix/suffix compare (Go's fmt "%v"); undefined for an object, which is no attribute value. */
export function stringForm(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

/** Built once per filter key, so the hot path is a property read and a typeof. */
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
  // `constructor` is on every object's prototype: for such names read own properties only.
  if (name in Object.prototype) return (event) => (Object.hasOwn(event, name) ? event[name] : undefined);
  return (event) => {
    const value = event[name];
    return value === null ? undefined : value;
  };
}
