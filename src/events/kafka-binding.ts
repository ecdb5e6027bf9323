// The CloudEvents Kafka protocol binding as Knative's KafkaSource applies it: CloudEvents (binary
// `ce_` headers or structured `application/cloudevents+json`) pass through, any other record is
// wrapped as a `dev.knative.kafka.event`. A direct decoder: no SDK, no per-record regex.
import { LivepipeError } from '../errors.js';
import { attributeText } from './attribute-text.js';
import { completeBinaryModeEvent } from './binary-mode-event.js';
import { INGEST_TIME, type LiveEvent } from './cloudevent.js';
import { CloudEventDecodeError, withDecodeContext } from './cloudevent-decode-error.js';
import { isAttributeName } from './context-attributes.js';
import { decodeDeclaredData, encodeEventData, isJsonEncoded, NOT_JSON, sniffJson } from './event-data.js';
import { prefixedExtensionNames } from './extension-names.js';
import { parseStructuredEvent, serializeStructuredEvent } from './json-format.js';
import { MediaKind, mediaKindOf } from './media-type.js';
import { topicSourceNames } from './topic-source-names.js';

export type KafkaHeaderValue = Buffer | string | ReadonlyArray<Buffer | string> | undefined;

/** A consumed record as kafkajs delivers it (offset and timestamp are decimal strings). */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | null;
  /** kafkajs hands repeated header keys over as an array; the last one wins, as in Knative. */
  headers: Record<string, KafkaHeaderValue>;
  /** Broker or producer timestamp, epoch milliseconds as a decimal string. */
  timestamp: string;
}

/**
 * How the record key becomes the `key` extension: Knative's KafkaSource label
 * `kafkasources.sources.knative.dev/key-type` (default string). Keys that do not fit the chosen
 * width fall back to string, as Knative's KeyDeserializer does.
 */
export type KafkaKeyType = 'string' | 'int' | 'float' | 'byte-array';

export interface KafkaSourceIdentity {
  namespace: string;
  name: string;
  keyType?: KafkaKeyType;
}

export type KafkaRecordDecoder = (record: KafkaRecord) => LiveEvent;

/** The Kafka record of an event, binary content mode; `value` is null when the event has no data. */
export interface KafkaCloudEventRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export const KAFKA_EVENT_TYPE = 'dev.knative.kafka.event';
/** Extensions Knative's dispatcher (CloudEventOverridesMutator) puts on every event it delivers. */
export const KAFKA_PARTITION_EXTENSION = 'knativekafkapartition';
export const KAFKA_OFFSET_EXTENSION = 'knativekafkaoffset';

const CE_PREFIX = 'ce_';
const CONTENT_TYPE = 'content-type';
const SPECVERSION_HEADER = 'ce_specversion';
const KEY_TYPES: readonly KafkaKeyType[] = ['string', 'int', 'float', 'byte-array'];
const CACHE_LIMIT = 1024;

/**
 * Builds the decoder for one KafkaSource: names are checked and the event source prefix is built
 * once here. The decoder throws CloudEventDecodeError for a record that claims to be a CloudEvent
 * but is not a valid one, with the topic/partition/offset in the message for the dead-letter reason.
 */
export function createKafkaRecordDecoder(source: KafkaSourceIdentity): KafkaRecordDecoder {
  if (!source.namespace || !source.name) {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      `a Kafka source needs a namespace and a name (got ${JSON.stringify(source)}); they form the CloudEvent source /apis/v1/namespaces/<namespace>/kafkasources/<name>#<topic>`,
    );
  }
  const keyType = source.keyType ?? 'string';
  if (!KEY_TYPES.includes(keyType)) {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      `Kafka key type ${JSON.stringify(keyType)} is not supported; use one of ${KEY_TYPES.join(', ')}`,
    );
  }
  const sourcePrefix = `/apis/v1/namespaces/${source.namespace}/kafkasources/${source.name}#`;
  const sourceOf = topicSourceNames(sourcePrefix);

  return (record) => {
    try {
      const event = decodeRecord(record, sourceOf, keyType);
      event[KAFKA_PARTITION_EXTENSION] = record.partition;
      event[KAFKA_OFFSET_EXTENSION] = Number(record.offset);
      if (event[INGEST_TIME] === undefined) event[INGEST_TIME] = timestampOf(record);
      return event;
    } catch (error) {
      throw withDecodeContext(error, `Kafka record ${record.topic}/${record.partition}@${record.offset}`);
    }
  };
}

const decoders = new Map<string, KafkaRecordDecoder>();

/**
 * One record → one LiveEvent, with the mapping of Knative's KafkaSource (see createKafkaRecordDecoder).
 * Convenience form: a decoder per source identity is built once and cached.
 */
export function kafkaRecordToCloudEvent(record: KafkaRecord, source: KafkaSourceIdentity): LiveEvent {
  const cacheKey = `${source.namespace}\u0000${source.name}\u0000${source.keyType ?? 'string'}`;
  let decoder = decoders.get(cacheKey);
  if (decoder === undefined) {
    decoder = createKafkaRecordDecoder(source);
    if (decoders.size >= CACHE_LIMIT) decoders.clear();
    decoders.set(cacheKey, decoder);
  }
  return decoder(record);
}

/**
 * Binary content mode: every attribute but data as a `ce_` header (UTF-8 text), datacontenttype
 * as `content-type`, data as the value. The key is the `partitionkey` extension, else `stream`.
 */
export function cloudEventToKafkaRecord(event: LiveEvent): KafkaCloudEventRecord {
  const headers: Record<string, string> = {};
  for (const name in event) {
    if (name === 'data' || name === 'datacontenttype') continue;
    const value = event[name];
    if (value !== undefined && value !== null) headers[CE_PREFIX + name] = attributeText(value);
  }
  const data = event.data;
  let contentType = event.datacontenttype;
  // Without a declared type, JSON-encoded data says so; the JSON format implies it anyway.
  if (contentType === undefined && isJsonEncoded(data, undefined)) contentType = 'application/json';
  if (contentType !== undefined) headers[CONTENT_TYPE] = contentType;
  const key = event.partitionkey ?? event.stream;
  return {
    key: key === undefined || key === null ? null : attributeText(key),
    value: encodeEventData(data, contentType),
    headers,
  };
}

/** A structured-mode record (`application/cloudevents+json`), for producers that want one. */
export function cloudEventToStructuredKafkaRecord(event: LiveEvent): KafkaCloudEventRecord {
  const key = event.partitionkey ?? event.stream;
  return {
    key: key === undefined || key === null ? null : attributeText(key),
    value: Buffer.from(serializeStructuredEvent(event), 'utf8'),
    headers: { [CONTENT_TYPE]: 'application/cloudevents+json; charset=utf-8' },
  };
}

function decodeRecord(record: KafkaRecord, sourceOf: (topic: string) => string, keyType: KafkaKeyType): LiveEvent {
  const headers = record.headers;
  const contentTypeHeader = headers[CONTENT_TYPE];
  if (contentTypeHeader !== undefined) {
    const contentType = headerText(contentTypeHeader);
    const kind = mediaKindOf(contentType);
    if (kind === MediaKind.CloudEventJson) return decodeStructured(record);
    if (kind === MediaKind.CloudEventBatchJson) {
      throw new CloudEventDecodeError('the Kafka binding has no batched mode; produce one event per record', {
        unsupportedMediaType: true,
      });
    }
    if (kind === MediaKind.CloudEventOther) {
      throw new CloudEventDecodeError(
        `event format ${JSON.stringify(contentType)} is not supported; produce application/cloudevents+json or binary mode`,
        { unsupportedMediaType: true },
      );
    }
  }
  if (headers[SPECVERSION_HEADER] !== undefined) return decodeBinary(record);
  return wrapPlainRecord(record, sourceOf(record.topic), keyType);
}

function decodeStructured(record: KafkaRecord): LiveEvent {
  if (record.value === null || record.value.length === 0) {
    throw new CloudEventDecodeError('structured CloudEvent record has no value');
  }
  return parseStructuredEvent(record.value);
}

function decodeBinary(record: KafkaRecord): LiveEvent {
  const candidate: Record<string, unknown> = {};
  const headers = record.headers;
  let contentType: string | undefined;
  for (const name in headers) {
    const raw = headers[name];
    if (raw === undefined) continue;
    if (name.startsWith(CE_PREFIX)) {
      const attribute = name.slice(3);
      if (!isAttributeName(attribute)) {
        throw new CloudEventDecodeError(
          `header ${JSON.stringify(name)} does not name a CloudEvents attribute (lower-case letters and digits after ce_)`,
        );
      }
      candidate[attribute] = headerText(raw);
    } else if (name === CONTENT_TYPE) {
      contentType = headerText(raw);
    }
  }
  return completeBinaryModeEvent(candidate, contentType, record.value);
}

function wrapPlainRecord(record: KafkaRecord, source: string, keyType: KafkaKeyType): LiveEvent {
  const partition = record.partition;
  const offset = record.offset;
  const event: LiveEvent = {
    specversion: '1.0',
    id: `partition:${partition}/offset:${offset}`,
    source,
    type: KAFKA_EVENT_TYPE,
    subject: `partition:${partition}#${offset}`,
    time: new Date(timestampOf(record)).toISOString(),
  };
  const key = keyOf(record.key, keyType);
  if (key !== undefined) {
    event.partitionkey = key;
    event.key = key;
  }
  let contentType: string | undefined;
  const headers = record.headers;
  for (const name in headers) {
    const raw = headers[name];
    if (raw === undefined) continue;
    if (name.length === 12 && name.toLowerCase() === CONTENT_TYPE) {
      // Knative carries content-type as datacontenttype (lower-cased), not as an extension.
      contentType = headerText(raw).toLowerCase();
      continue;
    }
    event[kafkaHeaderExtensionName(name)] = headerText(raw);
  }
  const value = record.value;
  if (contentType !== undefined) {
    event.datacontenttype = contentType;
    if (value !== null && value.length > 0) event.data = decodeDeclaredData(value, contentType);
  } else if (value !== null && value.length > 0) {
    const sniffed = sniffJson(value);
    if (sniffed === NOT_JSON) event.data = value;
    else {
      event.datacontenttype = 'application/json';
      event.data = sniffed;
    }
  }
  return event;
}

/** `kafkaheader` + the header name lower-cased with everything but [a-z0-9] removed (Knative). */
export const kafkaHeaderExtensionName: (header: string) => string = prefixedExtensionNames('kafkaheader');

/** Knative's KeyDeserializer: empty → no key; int/float by byte width, else UTF-8 text. */
function keyOf(key: Buffer | string | null, keyType: KafkaKeyType): string | number | undefined {
  if (key === null || key.length === 0) return undefined;
  if (typeof key === 'string') return key;
  switch (keyType) {
    case 'int':
      return key.length === 4 ? key.readInt32BE(0) : key.toString('utf8');
    case 'float':
      if (key.length === 4) return key.readFloatBE(0);
      return key.length === 8 ? key.readDoubleBE(0) : key.toString('utf8');
    case 'byte-array':
      // A CloudEvents Binary attribute; its canonical string form is base64.
      return key.toString('base64');
    default:
      return key.toString('utf8');
  }
}

function timestampOf(record: KafkaRecord): number {
  const ms = Number(record.timestamp);
  if (!Number.isFinite(ms))
    throw new CloudEventDecodeError(`record timestamp ${JSON.stringify(record.timestamp)} is not epoch milliseconds`);
  return ms;
}

function headerText(value: Buffer | string | ReadonlyArray<Buffer | string>): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  const last = (value as ReadonlyArray<Buffer | string>)[(value as ReadonlyArray<Buffer | string>).length - 1];
  return last === undefined ? '' : typeof last === 'string' ? last : last.toString('utf8');
}
