// The RocketMQ message ⇄ CloudEvent mapping of src/events/rocketmq-binding.ts, mode by mode.
import { describe, expect, it } from 'vitest';
import { CloudEventDecodeError } from '../../../src/events/cloudevent-decode-error.js';
import type { LiveEvent } from '../../../src/events/cloudevent.js';
import {
  cloudEventToRocketmqMessage,
  createRocketmqMessageDecoder,
  ROCKETMQ_EVENT_TYPE,
  rocketmqPropertyExtensionName,
  type RocketmqMessage,
} from '../../../src/events/rocketmq-binding.js';

const BORN = new Date('2025-03-01T12:00:00.250Z');
const decode = createRocketmqMessageDecoder({ endpoints: '127.0.0.1:8081' });

function message(overrides: Partial<RocketmqMessage> = {}): RocketmqMessage {
  return {
    messageId: '7F00000100002A9F0000000000000001',
    topic: 'live-interactions',
    body: Buffer.from('{"text":"hello"}'),
    keys: [],
    properties: new Map(),
    bornTimestamp: BORN,
    ...overrides,
  };
}

describe('plain messages', () => {
  it('wraps a message that is not a CloudEvent with the RocketMQ identity', () => {
    const event = decode(
      message({
        tag: 'comment',
        keys: ['k1', 'k2'],
        properties: new Map([
          ['Region', 'eu'],
          ['X-Trace.Id', 't-9'],
        ]),
      }),
    );
    expect(event).toEqual({
      specversion: '1.0',
      id: '7F00000100002A9F0000000000000001',
      source: 'rocketmq://127.0.0.1:8081/live-interactions',
      type: ROCKETMQ_EVENT_TYPE,
      subject: 'comment',
      time: '2025-03-01T12:00:00.250Z',
      rocketmqtopic: 'live-interactions',
      rocketmqtag: 'comment',
      rocketmqkeys: 'k1 k2',
      rocketmqpropertyregion: 'eu',
      rocketmqpropertyxtraceid: 't-9',
      datacontenttype: 'application/json',
      data: { text: 'hello' },
      ingesttime: BORN.getTime(),
    });
  });

  it('leaves out subject, tag and keys when the message has none', () => {
    const event = decode(message());
    expect(event.subject).toBeUndefined();
    expect(event.rocketmqtag).toBeUndefined();
    expect(event.rocketmqkeys).toBeUndefined();
  });

  it('puts a namespace into the source', () => {
    const namespaced = createRocketmqMessageDecoder({ endpoints: 'mq.example:8081', namespace: 'prod' });
    expect(namespaced(message()).source).toBe('rocketmq://mq.example:8081/prod/live-interactions');
  });

  it('reads the body by its declared content type, which becomes datacontenttype', () => {
    const text = decode(
      message({ body: Buffer.from('{not json'), properties: new Map([['content-type', 'text/plain']]) }),
    );
    expect(text.datacontenttype).toBe('text/plain');
    expect(text.data).toBe('{not json');
    expect(text.rocketmqpropertycontenttype).toBeUndefined();
  });

  it('turns undeclared UTF-8 text into a string and other bytes into a Buffer', () => {
    const text = decode(message({ body: Buffer.from('héllo') }));
    expect(text.data).toBe('héllo');
    expect(text.datacontenttype).toBe('text/plain; charset=utf-8');
    const bytes = decode(message({ body: Buffer.from([0xff, 0xfe, 0x00, 0x81]) }));
    expect(Buffer.isBuffer(bytes.data)).toBe(true);
    expect([...(bytes.data as Buffer)]).toEqual([0xff, 0xfe, 0x00, 0x81]);
    expect(bytes.datacontenttype).toBe('application/octet-stream');
  });

  it('carries no data for an empty body', () => {
    const event = decode(message({ body: Buffer.alloc(0) }));
    expect('data' in event).toBe(false);
  });

  it('uses the decode time as ingest time when the broker gives no born timestamp', () => {
    const before = Date.now();
    const event = decode(message({ bornTimestamp: undefined }));
    expect(event.ingesttime).toBeGreaterThanOrEqual(before);
    expect(event.ingesttime).toBeLessThanOrEqual(Date.now());
  });

  it('rejects a body that declares JSON but does not parse, naming topic and message id', () => {
    const bad = message({ body: Buffer.from('{"text":'), properties: new Map([['content-type', 'application/json']]) });
    expect(() => decode(bad)).toThrow(CloudEventDecodeError);
    expect(() => decode(bad)).toThrow(
      /RocketMQ message live-interactions\/7F00000100002A9F0000000000000001: data is not valid JSON/,
    );
  });
});

describe('binary mode (ce_ properties)', () => {
  const ceProperties = (extra: Array<[string, string]> = []) =>
    new Map<string, string>([
      ['ce_specversion', '1.0'],
      ['ce_id', 'stream-1-7'],
      ['ce_source', '/live/streams/stream-1'],
      ['ce_type', 'live.comment'],
      ['ce_stream', 'stream-1'],
      ['content-type', 'application/json'],
      ...extra,
    ]);

  it('passes a CloudEvent through unchanged, adding only the born time as ingest time', () => {
    const event = decode(message({ tag: 'comment', keys: ['stream-1-7'], properties: ceProperties() }));
    expect(event).toEqual({
      specversion: '1.0',
      id: 'stream-1-7',
      source: '/live/streams/stream-1',
      type: 'live.comment',
      stream: 'stream-1',
      datacontenttype: 'application/json',
      data: { text: 'hello' },
      ingesttime: BORN.getTime(),
    });
  });

  it('keeps an ingest time the event already carries, as a number', () => {
    const event = decode(message({ properties: ceProperties([['ce_ingesttime', '1700000000123']]) }));
    expect(event.ingesttime).toBe(1_700_000_000_123);
  });

  it('reads the CE_ prefix too', () => {
    const properties = new Map(
      [...ceProperties()].map(([name, value]) => [name.replace(/^ce_/, 'CE_'), value] as [string, string]),
    );
    expect(decode(message({ properties })).id).toBe('stream-1-7');
  });

  it('rejects a CloudEvent without an id', () => {
    const properties = ceProperties();
    properties.delete('ce_id');
    expect(() => decode(message({ properties }))).toThrow(/missing required attribute id/);
  });

  it('rejects a property that is not a valid attribute name', () => {
    expect(() => decode(message({ properties: ceProperties([['ce_Bad-Name', 'x']]) }))).toThrow(CloudEventDecodeError);
  });
});

describe('structured mode', () => {
  it('parses an application/cloudevents+json body as the event', () => {
    const envelope = { specversion: '1.0', id: 'e-1', source: '/x', type: 't', data: { a: 1 } };
    const event = decode(
      message({
        body: Buffer.from(JSON.stringify(envelope)),
        properties: new Map([['content-type', 'application/cloudevents+json; charset=utf-8']]),
      }),
    );
    expect(event).toEqual({ ...envelope, ingesttime: BORN.getTime() });
  });

  it('rejects a structured body that is not JSON and the batch format', () => {
    const structured = new Map([['content-type', 'application/cloudevents+json']]);
    expect(() => decode(message({ body: Buffer.from('nope'), properties: structured }))).toThrow(CloudEventDecodeError);
    const batch = new Map([['content-type', 'application/cloudevents-batch+json']]);
    expect(() => decode(message({ body: Buffer.from('[]'), properties: batch }))).toThrow(/not supported on RocketMQ/);
  });
});

describe('encoding', () => {
  it('round-trips an event through binary mode', () => {
    const event: LiveEvent = {
      specversion: '1.0',
      id: 'stream-2-1',
      source: '/live/streams/stream-2',
      type: 'live.gift',
      time: '2025-03-01T12:00:00.000Z',
      stream: 'stream-2',
      datacontenttype: 'application/json',
      data: { gift: { name: 'rocket', value: 500 } },
    };
    const outgoing = cloudEventToRocketmqMessage(event, 'live-interactions', { tag: 'gift' });
    expect(outgoing.tag).toBe('gift');
    expect(outgoing.keys).toEqual(['stream-2-1']);
    expect(outgoing.properties.get('ce_type')).toBe('live.gift');
    expect(outgoing.properties.get('content-type')).toBe('application/json');
    expect(outgoing.properties.has('ce_data')).toBe(false);
    const back = decode({
      messageId: 'm',
      topic: 'live-interactions',
      body: outgoing.body,
      tag: outgoing.tag,
      keys: outgoing.keys,
      properties: outgoing.properties,
      bornTimestamp: BORN,
    });
    expect(back).toEqual({ ...event, ingesttime: BORN.getTime() });
  });

  it('declares JSON for object data without a content type', () => {
    const outgoing = cloudEventToRocketmqMessage(
      { specversion: '1.0', id: 'a', source: '/s', type: 't', data: { x: 1 } },
      'topic',
    );
    expect(outgoing.properties.get('content-type')).toBe('application/json');
    expect(JSON.parse(outgoing.body.toString())).toEqual({ x: 1 });
    expect(outgoing.tag).toBeUndefined();
  });
});

it('names property extensions rocketmqproperty + lower-case alphanumerics', () => {
  expect(rocketmqPropertyExtensionName('User_Level-2')).toBe('rocketmqpropertyuserlevel2');
});
