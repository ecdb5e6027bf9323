// RocketMQ message ⇄ CloudEvent. RocketMQ has no Knative or CloudEvents-spec mapping that
// livepipe can follow, so this file defines one, modelled on the Kafka binding (see the table
// below); like it, a direct decoder: names are precomputed, nothing is validated twice.
//
// Decoding a received message, first rule that applies:
//   1. structured: user property `content-type` is application/cloudevents+json → the body is the
//      JSON envelope (any other application/cloudevents… format is rejected).
//   2. binary: user property `ce_specversion` (prefix `ce_` or `CE_`, as CloudEvents sdk-java
//      writes it) → every `ce_<attribute>` property is that attribute, `content-type` is
//      datacontenttype, the body is data (decoded by content type; undeclared JSON is sniffed).
//   3. any other message is wrapped:
//        specversion 1.0, type dev.livepipe.rocketmq.message,
//        source  rocketmq://<endpoints>/<topic>   (rocketmq://<endpoints>/<namespace>/<topic> with a namespace)
//        id      message id, subject = tag (when there is one), time = born timestamp
//        rocketmqtopic, rocketmqtag, rocketmqkeys (space-joined, RocketMQ's own key separator)
//        rocketmqproperty<name> for each user property (name lower-cased, [a-z0-9] kept)
//        datacontenttype from `content-type`; data: declared media type decides (invalid declared
//        JSON is an error); undeclared: a JSON object/array is parsed, valid UTF-8 becomes a
//        string (text/plain), anything else stays bytes (application/octet-stream).
//   In every mode `ingesttime` (epoch ms) is the born timestamp unless the event carries one.
// The type is livepipe's, not org.apache.rocketmq's: the mapping is ours, and a reverse-DNS type
// names whoever defines the event shape (as dev.knative.kafka.event names Knative's).
// Errors: a declared-JSON body that does not parse, a CloudEvent without id/source/type, a bad
// attribute name → CloudEventDecodeError with "RocketMQ message <topic>/<id>" in front.
import { isUtf8 } from 'node:buffer';
import { LivepipeError } from '../errors.js';
import { attributeText } from './attribute-text.js';
import { completeBinaryModeEvent } from './binary-mode-event.js';
import { INGEST_TIME, type LiveEvent } from './cloudevent.js';
import { CloudEventDecodeError, withDecodeContext } from './cloudevent-decode-error.js';
import { isAttributeName } from './context-attributes.js';
import { decodeDeclaredData, encodeEventData, isJsonEncoded, NOT_JSON, sniffJson } from './event-data.js';
import { prefixedExtensionNames } from './extension-names.js';
import { parseStructuredEvent } from './json-format.js';
import { MediaKind, mediaKindOf } from './media-type.js';
import { topicSourceNames } from './topic-source-names.js';

/** What the binding reads of a received message (rocketmq-client-nodejs' MessageView has these). */
export interface RocketmqMessage {
  messageId: string;
  topic: string;
  body: Buffer;
  tag?: string;
  keys: readonly string[];
  /** User properties. */
  properties: ReadonlyMap<string, string>;
  /** When the producer sent it; absent on some brokers, then the decode time is used. */
  bornTimestamp?: Date;
}

/** A message to send, in the shape rocketmq-client-nodejs' Producer.send takes. */
export interface RocketmqOutgoingMessage {
  topic: string;
  body: Buffer;
  tag?: string;
  keys: string[];
  properties: Map<string, string>;
}

export interface RocketmqSourceIdentity {
  /** The proxy endpoints the source reads from, e.g. 127.0.0.1:8081. */
  endpoints: string;
  namespace?: string;
}

export type RocketmqMessageDecoder = (message: RocketmqMessage) => LiveEvent;

export const ROCKETMQ_EVENT_TYPE = 'dev.livepipe.rocketmq.message';
export const ROCKETMQ_TOPIC_EXTENSION = 'rocketmqtopic';
export const ROCKETMQ_TAG_EXTENSION = 'rocketmqtag';
export const ROCKETMQ_KEYS_EXTENSION = 'rocketmqkeys';
export const ROCKETMQ_PROPERTY_PREFIX = 'rocketmqproperty';
/** The user property that carries datacontenttype (binary mode) or the event format (structured). */
export const ROCKETMQ_CONTENT_TYPE_PROPERTY = 'content-type';
/** RocketMQ joins message keys with a space (MessageConst.KEY_SEPARATOR). */
const KEY_SEPARATOR = ' ';
const CE_PREFIX = 'ce_';
const CE_PREFIX_UPPER = 'CE_';
const TEXT_PLAIN = 'text/plain; charset=utf-8';
const OCTET_STREAM = 'application/octet-stream';

/**
 * Builds the decoder for one RocketMQ source: the endpoints are checked and the event source
 * prefix built once. The decoder throws CloudEventDecodeError for input that cannot become an event.
 */
export function createRocketmqMessageDecoder(identity: RocketmqSourceIdentity): RocketmqMessageDecoder {
  if (!identity.endpoints) {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      'a RocketMQ source needs its proxy endpoints (e.g. 127.0.0.1:8081); they form the CloudEvent source rocketmq://<endpoints>/<topic>',
    );
  }
  const prefix = `rocketmq://${identity.endpoints}/${identity.namespace ? `${identity.namespace}/` : ''}`;
  const sourceOf = topicSourceNames(prefix);
  return (message) => {
    try {
      const bornMs = message.bornTimestamp?.getTime() ?? Date.now();
      const event = decodeMessage(message, sourceOf, bornMs);
      if (event[INGEST_TIME] === undefined) event[INGEST_TIME] = bornMs;
      return event;
    } catch (error) {
      throw withDecodeContext(error, `RocketMQ message ${message.topic}/${message.messageId}`);
    }
  };
}

export interface RocketmqEncodeOptions {
  /** The message tag (RocketMQ's server-side filter); omitted: no tag. */
  tag?: string;
  /** Message keys (RocketMQ's index); default: the event id. */
  keys?: string[];
}

/**
 * Binary content mode: every attribute but data as a `ce_<name>` user property (canonical text),
 * datacontenttype as `content-type`, data as the body.
 */
export function cloudEventToRocketmqMessage(
  event: LiveEvent,
  topic: string,
  options: RocketmqEncodeOptions = {},
): RocketmqOutgoingMessage {
  const properties = new Map<string, string>();
  for (const name in event) {
    if (name === 'data' || name === 'datacontenttype') continue;
    const value = event[name];
    if (value !== undefined && value !== null) properties.set(CE_PREFIX + name, attributeText(value));
  }
  const data = event.data;
  let contentType = event.datacontenttype;
  if (contentType === undefined && isJsonEncoded(data, undefined)) contentType = 'application/json';
  if (contentType !== undefined) properties.set(ROCKETMQ_CONTENT_TYPE_PROPERTY, contentType);
  const message: RocketmqOutgoingMessage = {
    topic,
    // RocketMQ refuses an empty body; an event without data travels as zero bytes of nothing else.
    body: encodeEventData(data, contentType) ?? Buffer.alloc(0),
    keys: options.keys ?? [event.id],
    properties,
  };
  if (options.tag !== undefined) message.tag = options.tag;
  return message;
}

/** `rocketmqproperty` + the property name lower-cased with everything but [a-z0-9] removed. */
export const rocketmqPropertyExtensionName: (property: string) => string =
  prefixedExtensionNames(ROCKETMQ_PROPERTY_PREFIX);

function decodeMessage(message: RocketmqMessage, sourceOf: (topic: string) => string, bornMs: number): LiveEvent {
  const properties = message.properties;
  const contentType = properties.get(ROCKETMQ_CONTENT_TYPE_PROPERTY);
  if (contentType !== undefined) {
    const kind = mediaKindOf(contentType);
    if (kind === MediaKind.CloudEventJson) {
      if (message.body.length === 0) throw new CloudEventDecodeError('structured CloudEvent message has an empty body');
      return parseStructuredEvent(message.body);
    }
    if (kind === MediaKind.CloudEventBatchJson || kind === MediaKind.CloudEventOther) {
      throw new CloudEventDecodeError(
        `event format ${JSON.stringify(contentType)} is not supported on RocketMQ; send one application/cloudevents+json event per message or use binary mode (ce_ properties)`,
        { unsupportedMediaType: true },
      );
    }
  }
  if (properties.has('ce_specversion') || properties.has('CE_specversion')) return decodeBinary(message, contentType);
  return wrapPlainMessage(message, sourceOf(message.topic), contentType, bornMs);
}

function decodeBinary(message: RocketmqMessage, contentType: string | undefined): LiveEvent {
  const candidate: Record<string, unknown> = {};
  for (const [name, value] of message.properties) {
    if (!(name.startsWith(CE_PREFIX) || name.startsWith(CE_PREFIX_UPPER))) continue;
    const attribute = name.slice(3);
    if (!isAttributeName(attribute)) {
      throw new CloudEventDecodeError(
        `property ${JSON.stringify(name)} does not name a CloudEvents attribute (lower-case letters and digits after ce_)`,
      );
    }
    candidate[attribute] = value;
  }
  return completeBinaryModeEvent(candidate, contentType, message.body);
}

function wrapPlainMessage(
  message: RocketmqMessage,
  source: string,
  contentType: string | undefined,
  bornMs: number,
): LiveEvent {
  const event: LiveEvent = {
    specversion: '1.0',
    id: message.messageId,
    source,
    type: ROCKETMQ_EVENT_TYPE,
    time: new Date(bornMs).toISOString(),
  };
  const tag = message.tag;
  if (tag !== undefined && tag.length > 0) {
    event.subject = tag;
    event[ROCKETMQ_TAG_EXTENSION] = tag;
  }
  event[ROCKETMQ_TOPIC_EXTENSION] = message.topic;
  if (message.keys.length > 0) event[ROCKETMQ_KEYS_EXTENSION] = message.keys.join(KEY_SEPARATOR);
  for (const [name, value] of message.properties) {
    if (name === ROCKETMQ_CONTENT_TYPE_PROPERTY) continue;
    event[rocketmqPropertyExtensionName(name)] = value;
  }
  const body = message.body;
  if (contentType !== undefined) {
    event.datacontenttype = contentType;
    if (body.length > 0) event.data = decodeDeclaredData(body, contentType);
  } else if (body.length > 0) {
    const sniffed = sniffJson(body);
    if (sniffed !== NOT_JSON) {
      event.datacontenttype = 'application/json';
      event.data = sniffed;
    } else if (isUtf8(body)) {
      event.datacontenttype = TEXT_PLAIN;
      event.data = body.toString('utf8');
    } else {
      event.datacontenttype = OCTET_STREAM;
      event.data = body;
    }
  }
  return event;
}
