// Classifies Content-Type values once per distinct string: the bindings see the same handful of
// values over and over, so a small cache replaces per-event lower-casing and parsing.

export const MediaKind = {
  /** application/json, text/json, anything+json: data is parsed JSON. */
  Json: 0,
  /** text/*: data is a UTF-8 string. */
  Text: 1,
  /** Anything else: data stays bytes. */
  Binary: 2,
  /** application/cloudevents+json: a structured-mode event envelope. */
  CloudEventJson: 3,
  /** application/cloudevents-batch+json: an array of envelopes (HTTP only). */
  CloudEventBatchJson: 4,
  /** application/cloudevents+<other format> (avro, protobuf...), which this codec cannot read. */
  CloudEventOther: 5,
} as const;
export type MediaKind = (typeof MediaKind)[keyof typeof MediaKind];

const CACHE_LIMIT = 256;
const cache = new Map<string, MediaKind>();

/** The media kind of a Content-Type value (parameters such as charset are ignored). */
export function mediaKindOf(contentType: string): MediaKind {
  const cached = cache.get(contentType);
  if (cached !== undefined) return cached;
  const kind = classify(contentType);
  // Content types are few in practice; a flood of distinct ones must not grow memory unbounded.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(contentType, kind);
  return kind;
}

function classify(contentType: string): MediaKind {
  const semicolon = contentType.indexOf(';');
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (essence.startsWith('application/cloudevents-batch')) {
    return essence === 'application/cloudevents-batch+json' ? MediaKind.CloudEventBatchJson : MediaKind.CloudEventOther;
  }
  if (essence.startsWith('application/cloudevents')) {
    return essence === 'application/cloudevents+json' ? MediaKind.CloudEventJson : MediaKind.CloudEventOther;
  }
  if (essence === 'application/json' || essence === 'text/json' || essence.endsWith('+json')) return MediaKind.Json;
  if (essence.startsWith('text/')) return MediaKind.Text;
  return MediaKind.Binary;
}
