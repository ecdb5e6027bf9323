import { describe, expect, it } from 'vitest';
import {
  cloudEventsToHttpBatchMessage,
  cloudEventToHttpMessage,
  cloudEventToStructuredHttpMessage,
  decodeHeaderValue,
  httpRequestToCloudEvents,
  percentEncodeHeaderValue,
} from '../../../src/events/http-binding.js';
import type { LiveEvent } from '../../../src/events/cloudevent.js';

const event: LiveEvent = {
  specversion: '1.0',
  id: 'h-1',
  source: '/streams/s1',
  type: 'live.chat',
  subject: 'Grüße "aus" 100%',
  stream: 's1',
  data: { text: 'hi' },
};

describe('httpRequestToCloudEvents', () => {
  it('decodes binary mode from ce- headers, percent-decoding values', () => {
    const [decoded] = httpRequestToCloudEvents(
      {
        'ce-specversion': '1.0',
        'ce-id': 'h-1',
        'ce-source': '/streams/s1',
        'ce-type': 'live.chat',
        'ce-subject': 'Gr%C3%BC%C3%9Fe%20%22aus%22%20100%25',
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'test',
      },
      Buffer.from('{"text":"hi"}'),
    );
    expect(decoded).toEqual({ ...event, stream: undefined, datacontenttype: 'application/json; charset=utf-8' });
  });

  it('unescapes double-quoted header values from older senders', () => {
    expect(decodeHeaderValue('"a \\"b\\""')).toBe('a "b"');
  });

  it('rejects percent-encoded bytes that are not UTF-8 (overlong %C0%A0)', () => {
    expect(() => decodeHeaderValue('%C0%A0', 'ce-subject')).toThrow(/not valid percent-encoded UTF-8/);
  });

  it('decodes structured and batched modes', () => {
    const structured = httpRequestToCloudEvents(
      { 'content-type': 'application/cloudevents+json' },
      Buffer.from(JSON.stringify(event)),
    );
    expect(structured).toEqual([event]);
    const batch = httpRequestToCloudEvents(
      { 'content-type': 'application/cloudevents-batch+json' },
      Buffer.from(JSON.stringify([event, { ...event, id: 'h-2' }])),
    );
    expect(batch.map((e) => e.id)).toEqual(['h-1', 'h-2']);
  });

  it('names the bad entry of a batch', () => {
    const body = Buffer.from(JSON.stringify([event, { ...event, source: '' }]));
    expect(() => httpRequestToCloudEvents({ 'content-type': 'application/cloudevents-batch+json' }, body)).toThrow(
      /batch entry 1: attribute source/,
    );
  });

  it('refuses a request that is no CloudEvent and a CloudEvents format it cannot read', () => {
    expect(() => httpRequestToCloudEvents({ 'content-type': 'application/json' }, Buffer.from('{}'))).toThrow(
      /not a CloudEvent/,
    );
    try {
      httpRequestToCloudEvents({ 'content-type': 'application/cloudevents+protobuf' }, Buffer.from('x'));
      expect.unreachable();
    } catch (error) {
      expect((error as { unsupportedMediaType: boolean }).unsupportedMediaType).toBe(true);
    }
  });
});

describe('HTTP encoders', () => {
  it('percent-encodes space, double-quote, percent and non-ASCII only', () => {
    expect(percentEncodeHeaderValue('/a/b?c=d')).toBe('/a/b?c=d');
    expect(percentEncodeHeaderValue('Euro € 😀')).toBe('Euro%20%E2%82%AC%20%F0%9F%98%80');
  });

  it('round-trips binary, structured and batched messages', () => {
    const withBytes: LiveEvent = { ...event, datacontenttype: 'application/octet-stream', data: Buffer.from([1, 2]) };
    for (const original of [event, withBytes]) {
      const binary = cloudEventToHttpMessage(original);
      const [fromBinary] = httpRequestToCloudEvents(binary.headers, binary.body ?? Buffer.alloc(0));
      expect(fromBinary).toEqual({ datacontenttype: 'application/json', ...original });
      const structured = cloudEventToStructuredHttpMessage(original);
      expect(httpRequestToCloudEvents(structured.headers, structured.body!)).toEqual([original]);
    }
    const batch = cloudEventsToHttpBatchMessage([event, withBytes]);
    expect(httpRequestToCloudEvents(batch.headers, batch.body!)).toEqual([event, withBytes]);
  });
});
