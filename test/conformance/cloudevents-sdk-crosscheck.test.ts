// Cross-checks livepipe's hot-path decoders against the cloudevents SDK (used here, at the edge):
// for the same messages both must agree on every attribute and on data. The SDK gets string
// headers (it throws on kafkajs' Buffers) and normalizes time to toISOString(), so times compare as instants.
import { readFileSync } from 'node:fs';
import { HTTP, Kafka, type CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import {
  cloudEventToHttpMessage,
  cloudEventToStructuredHttpMessage,
  httpRequestToCloudEvents,
} from '../../src/events/http-binding.js';
import {
  cloudEventToKafkaRecord,
  cloudEventToStructuredKafkaRecord,
  kafkaRecordToCloudEvent,
} from '../../src/events/kafka-binding.js';

interface BindingCase {
  name: string;
  binding: 'kafka' | 'http';
  headers: Record<string, string>;
  value: string | null;
  expectError?: string | null;
  expectBatch?: unknown[];
}

const { cases } = JSON.parse(readFileSync(new URL('./cloudevents-binding-cases.json', import.meta.url), 'utf8')) as {
  cases: BindingCase[];
};
const ADDED_BY_LIVEPIPE = new Set(['ingesttime', 'knativekafkapartition', 'knativekafkaoffset']);

/** Attributes and data as comparable plain values. */
function normalize(event: Record<string, unknown>, drop: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(event)) {
    if (value === undefined || drop.has(name)) continue;
    if (name === 'time') out.time = Date.parse(value as string);
    else if (name === 'data' && value instanceof Uint8Array) out.data = Buffer.from(value).toString('utf8');
    else out[name] = value;
  }
  return out;
}

function ours(
  binding: 'kafka' | 'http',
  headers: Record<string, string>,
  value: Buffer | null,
): Record<string, unknown> {
  if (binding === 'http')
    return normalize(httpRequestToCloudEvents(headers, value ?? Buffer.alloc(0))[0]!, ADDED_BY_LIVEPIPE);
  const buffers: Record<string, Buffer> = {};
  for (const [name, text] of Object.entries(headers)) buffers[name] = Buffer.from(text);
  const record = {
    topic: 't',
    partition: 1,
    offset: '5',
    key: null,
    value,
    headers: buffers,
    timestamp: '1700000000000',
  };
  return normalize(kafkaRecordToCloudEvent(record, { namespace: 'ns', name: 'src' }), ADDED_BY_LIVEPIPE);
}

function sdk(
  binding: 'kafka' | 'http',
  headers: Record<string, string>,
  value: Buffer | null,
): Record<string, unknown> {
  const text = value === null ? undefined : value.toString('utf8');
  const event =
    binding === 'http'
      ? (HTTP.toEvent({ headers, body: text }) as CloudEvent<unknown>)
      : (Kafka.toEvent({ headers, value: text, key: undefined } as never) as CloudEvent<unknown>);
  // The SDK copies the record key into partitionkey; Knative and the spec (3.1) leave the event as sent.
  return normalize({ ...event }, new Set(['partitionkey']));
}

/**
 * Cases where the SDK (cloudevents 10.0.0) departs from the binding specs, so no agreement is
 * expected; livepipe's behaviour on them is pinned by cloudevents-bindings.test.ts instead.
 */
const SDK_DEPARTS_FROM_SPEC: Record<string, string> = {
  'kafka structured with upper-case media type':
    'Kafka spec §3 matches the application/cloudevents prefix case-insensitively; the SDK compares case-sensitively and finds no event',
  'http binary with extensions (yaml/v1.yaml)':
    'HTTP spec §3.1.3.2 requires percent-decoding header values; the SDK keeps "%22" and "%0A" as they are',
};

const singleEventCases = cases.filter(
  (c) =>
    !c.expectError &&
    !c.expectBatch &&
    c.value !== null &&
    !(c.name in SDK_DEPARTS_FROM_SPEC) &&
    // The SDK's Kafka structured decoder throws on an event without time (new Date(undefined)).
    (c.binding === 'http' || 'ce_time' in c.headers || c.value.includes('"time"')),
);

const liveEvents: LiveEvent[] = [
  {
    specversion: '1.0',
    id: 'c-1',
    source: '/streams/s1',
    type: 'live.chat',
    time: '2024-05-01T10:00:00.123Z',
    stream: 's1',
    data: { viewer: 'ana', text: 'hello 🌎' },
  },
  {
    specversion: '1.0',
    id: 'g-1',
    source: '/streams/s1',
    type: 'live.gift',
    time: '2024-05-01T10:00:01Z',
    subject: 'gift/rose',
    datacontenttype: 'application/json',
    data: { gift: 'rose', value: 120, combo: [1, 2] },
  },
  {
    specversion: '1.0',
    id: 'v-1',
    source: '/streams/s2',
    type: 'live.vote',
    time: '2024-05-01T10:00:02Z',
    datacontenttype: 'text/plain',
    data: 'option B',
    pollid: 'p7',
  },
  {
    specversion: '1.0',
    id: 'r-1',
    source: '/models/sentiment',
    type: 'ai.sentiment.result',
    time: '2024-05-01T10:00:03Z',
    dataschema: 'https://example.com/schema',
    causeid: 'c-1',
    data: [0.1, 0.9],
  },
];

describe('livepipe decoders agree with the cloudevents SDK', () => {
  it('checks enough cases to mean something', () => {
    expect(singleEventCases.length).toBeGreaterThanOrEqual(15);
  });

  for (const testCase of singleEventCases) {
    it(`on conformance case: ${testCase.name}`, () => {
      const value = testCase.value === null ? null : Buffer.from(testCase.value, 'utf8');
      const expected = sdk(testCase.binding, testCase.headers, value);
      const actual = ours(testCase.binding, testCase.headers, value);
      // The SDK invents time = now for an event sent without one; the spec makes time optional.
      if (actual.time === undefined) delete expected.time;
      expect(actual).toEqual(expected);
    });
  }

  for (const event of liveEvents) {
    it(`on Kafka binary and structured records of ${event.type}`, () => {
      for (const wire of [cloudEventToKafkaRecord(event), cloudEventToStructuredKafkaRecord(event)]) {
        const decoded = ours('kafka', wire.headers, wire.value);
        expect(decoded).toEqual(sdk('kafka', wire.headers, wire.value));
        expect(decoded.id).toBe(event.id);
      }
    });

    it(`on HTTP binary and structured requests of ${event.type}`, () => {
      for (const wire of [cloudEventToHttpMessage(event), cloudEventToStructuredHttpMessage(event)]) {
        const decoded = ours('http', wire.headers, wire.body);
        expect(decoded).toEqual(sdk('http', wire.headers, wire.body));
        expect(decoded.data).toEqual(event.data);
      }
    });
  }
});
