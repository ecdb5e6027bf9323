import { describe, expect, it } from 'vitest';
import { CloudEventDecodeError } from '../../../src/events/cloudevent-decode-error.js';
import {
  cloudEventToKafkaRecord,
  cloudEventToStructuredKafkaRecord,
  createKafkaRecordDecoder,
  kafkaHeaderExtensionName,
  kafkaRecordToCloudEvent,
  type KafkaRecord,
} from '../../../src/events/kafka-binding.js';
import { LivepipeError } from '../../../src/errors.js';

const source = { namespace: 'live', name: 'chat' };
const TIMESTAMP = 1_712_345_678_901;

function record(overrides: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    topic: 'interactions',
    partition: 3,
    offset: '42',
    key: null,
    value: null,
    headers: {},
    timestamp: String(TIMESTAMP),
    ...overrides,
  };
}

function binaryHeaders(extra: KafkaRecord['headers'] = {}): KafkaRecord['headers'] {
  return {
    ce_specversion: Buffer.from('1.0'),
    ce_id: Buffer.from('evt-1'),
    ce_source: Buffer.from('/streams/s1'),
    ce_type: Buffer.from('live.chat'),
    ...extra,
  };
}

describe('kafkaRecordToCloudEvent: a record that is not a CloudEvent (Knative KafkaSource mapping)', () => {
  it('maps topic, partition, offset and timestamp to source, subject, id and time', () => {
    const event = kafkaRecordToCloudEvent(record({ value: Buffer.from('hello') }), source);
    expect(event.specversion).toBe('1.0');
    expect(event.type).toBe('dev.knative.kafka.event');
    expect(event.source).toBe('/apis/v1/namespaces/live/kafkasources/chat#interactions');
    expect(event.subject).toBe('partition:3#42');
    expect(event.id).toBe('partition:3/offset:42');
    expect(event.time).toBe(new Date(TIMESTAMP).toISOString());
    expect(event.time).toBe('2024-04-05T19:34:38.901Z');
  });

  it('stamps ingesttime with the record timestamp and the Knative partition/offset extensions', () => {
    const event = kafkaRecordToCloudEvent(record({ offset: '9007199254740' }), source);
    expect(event.ingesttime).toBe(TIMESTAMP);
    expect(event.knativekafkapartition).toBe(3);
    expect(event.knativekafkaoffset).toBe(9_007_199_254_740);
  });

  it('sets no key extension for a null or empty key', () => {
    for (const key of [null, Buffer.alloc(0)]) {
      const event = kafkaRecordToCloudEvent(record({ key }), source);
      expect(event).not.toHaveProperty('key');
      expect(event).not.toHaveProperty('partitionkey');
    }
  });

  it('decodes the key as UTF-8 by default and sets key and partitionkey like Knative', () => {
    const event = kafkaRecordToCloudEvent(record({ key: Buffer.from('viewer-ü7') }), source);
    expect(event.key).toBe('viewer-ü7');
    expect(event.partitionkey).toBe('viewer-ü7');
  });

  it('decodes int and float keys by byte width and falls back to text', () => {
    const int = Buffer.alloc(4);
    int.writeInt32BE(-123456);
    const float = Buffer.alloc(4);
    float.writeFloatBE(1.5);
    const double = Buffer.alloc(8);
    double.writeDoubleBE(Math.PI);
    const decodeInt = createKafkaRecordDecoder({ ...source, keyType: 'int' });
    const decodeFloat = createKafkaRecordDecoder({ ...source, keyType: 'float' });
    expect(decodeInt(record({ key: int })).key).toBe(-123456);
    expect(decodeInt(record({ key: Buffer.from('abc') })).key).toBe('abc');
    expect(decodeFloat(record({ key: float })).key).toBe(1.5);
    expect(decodeFloat(record({ key: double })).key).toBe(Math.PI);
    expect(decodeFloat(record({ key: Buffer.from('abc') })).key).toBe('abc');
  });

  it('encodes byte-array keys in base64, the canonical form of a Binary attribute', () => {
    const decode = createKafkaRecordDecoder({ ...source, keyType: 'byte-array' });
    expect(decode(record({ key: Buffer.from([0, 255, 16]) })).key).toBe('AP8Q');
  });

  it('turns headers (Buffers, strings, repeated) into kafkaheader extensions with normalized names', () => {
    const event = kafkaRecordToCloudEvent(
      record({
        headers: {
          'X-Trace_ID': Buffer.from('abc'),
          'room.Name': 'lobby',
          dup: [Buffer.from('first'), 'second'],
          gone: undefined,
        },
      }),
      source,
    );
    expect(event.kafkaheaderxtraceid).toBe('abc');
    expect(event.kafkaheaderroomname).toBe('lobby');
    expect(event.kafkaheaderdup).toBe('second');
    expect(event).not.toHaveProperty('kafkaheadergone');
  });

  it('normalizes header names by lower-casing and dropping everything but letters and digits', () => {
    expect(kafkaHeaderExtensionName('Content-MD5')).toBe('kafkaheadercontentmd5');
    expect(kafkaHeaderExtensionName('ÄB c_9')).toBe('kafkaheaderbc9');
  });

  it('carries a content-type header as lower-cased datacontenttype, not as an extension', () => {
    const event = kafkaRecordToCloudEvent(
      record({ headers: { 'Content-Type': Buffer.from('Text/Plain') }, value: Buffer.from('hi there') }),
      source,
    );
    expect(event.datacontenttype).toBe('text/plain');
    expect(event.data).toBe('hi there');
    expect(event).not.toHaveProperty('kafkaheadercontenttype');
  });

  it('parses a value that looks like JSON and declares application/json', () => {
    const event = kafkaRecordToCloudEvent(record({ value: Buffer.from(' {"text":"hi","likes":3}') }), source);
    expect(event.data).toEqual({ text: 'hi', likes: 3 });
    expect(event.datacontenttype).toBe('application/json');
  });

  it('keeps undeclared bytes that are not JSON as a Buffer without datacontenttype', () => {
    for (const raw of ['plain words', '{not json']) {
      const event = kafkaRecordToCloudEvent(record({ value: Buffer.from(raw) }), source);
      expect(Buffer.isBuffer(event.data)).toBe(true);
      expect((event.data as Buffer).toString()).toBe(raw);
      expect(event).not.toHaveProperty('datacontenttype');
    }
  });

  it('has no data for a null value', () => {
    expect(kafkaRecordToCloudEvent(record(), source)).not.toHaveProperty('data');
  });

  it('rejects invalid JSON when the content-type header declares JSON', () => {
    const bad = record({ headers: { 'content-type': 'application/json' }, value: Buffer.from('{"a":') });
    expect(() => kafkaRecordToCloudEvent(bad, source)).toThrow(CloudEventDecodeError);
    expect(() => kafkaRecordToCloudEvent(bad, source)).toThrow(/interactions\/3@42: data is not valid JSON/);
  });

  it('rejects an unparseable record timestamp', () => {
    expect(() => kafkaRecordToCloudEvent(record({ timestamp: 'later' }), source)).toThrow(/timestamp "later"/);
  });

  it('refuses a source identity without namespace or with an unknown key type at construction', () => {
    expect(() => createKafkaRecordDecoder({ namespace: '', name: 'x' })).toThrow(LivepipeError);
    expect(() => createKafkaRecordDecoder({ ...source, keyType: 'long' as 'int' })).toThrow(/key type "long"/);
  });
});

describe('kafkaRecordToCloudEvent: binary-mode CloudEvents pass through', () => {
  it('maps ce_ headers delivered as Buffers to attributes and content-type to datacontenttype', () => {
    const event = kafkaRecordToCloudEvent(
      record({
        key: Buffer.from('k1'),
        headers: binaryHeaders({
          ce_time: Buffer.from('2018-04-05T03:56:24Z'),
          ce_subject: 'chat/1',
          ce_stream: Buffer.from('s1'),
          'content-type': Buffer.from('application/json'),
          traceparent: Buffer.from('00-abc'),
        }),
        value: Buffer.from('{"text":"hello"}'),
      }),
      source,
    );
    expect(event).toEqual({
      specversion: '1.0',
      id: 'evt-1',
      source: '/streams/s1',
      type: 'live.chat',
      time: '2018-04-05T03:56:24Z',
      subject: 'chat/1',
      stream: 's1',
      datacontenttype: 'application/json',
      data: { text: 'hello' },
      knativekafkapartition: 3,
      knativekafkaoffset: 42,
      ingesttime: TIMESTAMP,
    });
  });

  it('keeps an ingesttime header, as a number', () => {
    const event = kafkaRecordToCloudEvent(
      record({ headers: binaryHeaders({ ce_ingesttime: '1700000000123' }) }),
      source,
    );
    expect(event.ingesttime).toBe(1_700_000_000_123);
  });

  it('throws with the missing attribute named', () => {
    const headers = binaryHeaders();
    delete headers.ce_type;
    expect(() => kafkaRecordToCloudEvent(record({ headers }), source)).toThrow(/missing required attribute type/);
  });

  it('throws on a wrong specversion, a bad time and a bad extension name', () => {
    expect(() =>
      kafkaRecordToCloudEvent(record({ headers: binaryHeaders({ ce_specversion: '0.3' }) }), source),
    ).toThrow(/unsupported specversion "0.3"/);
    expect(() => kafkaRecordToCloudEvent(record({ headers: binaryHeaders({ ce_time: 'yesterday' }) }), source)).toThrow(
      /RFC 3339/,
    );
    expect(() => kafkaRecordToCloudEvent(record({ headers: binaryHeaders({ 'ce_Room-Id': 'x' }) }), source)).toThrow(
      /does not name a CloudEvents attribute/,
    );
    expect(() =>
      kafkaRecordToCloudEvent(record({ headers: binaryHeaders({ ce_ingesttime: 'soon' }) }), source),
    ).toThrow(/ingesttime "soon"/);
  });

  it('throws on invalid JSON data under a JSON content type', () => {
    const bad = record({ headers: binaryHeaders({ 'content-type': 'application/json' }), value: Buffer.from('nope') });
    expect(() => kafkaRecordToCloudEvent(bad, source)).toThrow(/not valid JSON/);
  });
});

describe('kafkaRecordToCloudEvent: structured-mode CloudEvents pass through', () => {
  const envelope = {
    specversion: '1.0',
    id: 'evt-2',
    source: '/streams/s2',
    type: 'live.gift',
    datacontenttype: 'application/json',
    data: { gift: 'rose', value: 5 },
    stream: 's2',
  };

  it('decodes the JSON envelope, whatever the charset parameter', () => {
    for (const contentType of ['application/cloudevents+json', 'application/cloudevents+json; charset=UTF-8']) {
      const event = kafkaRecordToCloudEvent(
        record({ headers: { 'content-type': Buffer.from(contentType) }, value: Buffer.from(JSON.stringify(envelope)) }),
        source,
      );
      expect(event).toEqual({ ...envelope, knativekafkapartition: 3, knativekafkaoffset: 42, ingesttime: TIMESTAMP });
    }
  });

  it('decodes data_base64 into bytes', () => {
    const { data: _data, ...attributes } = envelope;
    const value = Buffer.from(
      JSON.stringify({ ...attributes, datacontenttype: 'application/octet-stream', data_base64: 'AQID' }),
    );
    const event = kafkaRecordToCloudEvent(
      record({ headers: { 'content-type': 'application/cloudevents+json' }, value }),
      source,
    );
    expect(event).not.toHaveProperty('data_base64');
    expect([...(event.data as Buffer)]).toEqual([1, 2, 3]);
  });

  it('throws for a body that is not JSON, lacks an attribute, or is not a supported format', () => {
    const structured = (value: string, contentType = 'application/cloudevents+json') =>
      record({ headers: { 'content-type': contentType }, value: Buffer.from(value) });
    expect(() => kafkaRecordToCloudEvent(structured('{'), source)).toThrow(/structured CloudEvent is not valid JSON/);
    expect(() => kafkaRecordToCloudEvent(structured(JSON.stringify({ ...envelope, id: undefined })), source)).toThrow(
      /missing required attribute id/,
    );
    expect(() =>
      kafkaRecordToCloudEvent(structured(JSON.stringify({ ...envelope, data_base64: 'AA==' })), source),
    ).toThrow(/either data or data_base64/);
    expect(() => kafkaRecordToCloudEvent(structured('[]'), source)).toThrow(/must be a JSON object/);
    const avro = () => kafkaRecordToCloudEvent(structured('x', 'application/cloudevents+avro'), source);
    expect(avro).toThrow(/not supported/);
    try {
      avro();
    } catch (error) {
      expect((error as CloudEventDecodeError).code).toBe('LP_EVENT_INVALID');
      expect((error as CloudEventDecodeError).unsupportedMediaType).toBe(true);
    }
  });
});

describe('cloudEventToKafkaRecord', () => {
  const event = {
    specversion: '1.0' as const,
    id: 'r-1',
    source: '/models/sentiment',
    type: 'ai.sentiment.result',
    time: '2024-01-01T00:00:00Z',
    stream: 's9',
    ingesttime: 1_700_000_000_000,
    data: { label: 'positive', score: 0.9 },
  };

  it('writes binary mode: ce_ headers, content-type and the JSON of data; key from stream', () => {
    const out = cloudEventToKafkaRecord(event);
    expect(out.key).toBe('s9');
    expect(out.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: 'r-1',
      ce_source: '/models/sentiment',
      ce_type: 'ai.sentiment.result',
      ce_time: '2024-01-01T00:00:00Z',
      ce_stream: 's9',
      ce_ingesttime: '1700000000000',
      'content-type': 'application/json',
    });
    expect(JSON.parse(out.value!.toString())).toEqual(event.data);
  });

  it('prefers the partitionkey extension for the key and gives null without either', () => {
    expect(cloudEventToKafkaRecord({ ...event, partitionkey: 'p1' }).key).toBe('p1');
    const { stream: _stream, ...noStream } = event;
    expect(cloudEventToKafkaRecord(noStream).key).toBeNull();
  });

  it('round-trips through the decoder, binary and structured, including bytes and text data', () => {
    const cases = [
      event,
      { ...event, datacontenttype: 'text/plain', data: 'just text' },
      { ...event, datacontenttype: 'application/octet-stream', data: Buffer.from([9, 8, 7]) },
      { ...event, data: undefined },
    ];
    for (const original of cases) {
      for (const encode of [cloudEventToKafkaRecord, cloudEventToStructuredKafkaRecord]) {
        const wire = encode(original);
        const decoded = kafkaRecordToCloudEvent(
          record({ key: wire.key === null ? null : Buffer.from(wire.key), value: wire.value, headers: wire.headers }),
          source,
        );
        const { knativekafkapartition, knativekafkaoffset, ...rest } = decoded;
        expect(knativekafkapartition).toBe(3);
        expect(knativekafkaoffset).toBe(42);
        const expected: Record<string, unknown> = { ...original };
        if (expected.data === undefined) delete expected.data;
        if (
          expected.datacontenttype === undefined &&
          expected.data !== undefined &&
          encode === cloudEventToKafkaRecord
        ) {
          expected.datacontenttype = 'application/json';
        }
        expect(rest).toEqual(expected);
      }
    }
  });
});
