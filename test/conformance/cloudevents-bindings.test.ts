// Runs livepipe's Kafka and HTTP decoders over the binding cases in cloudevents-binding-cases.json
// (written from the CloudEvents conformance repository and the binding specs; each case names its origin).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { CloudEventDecodeError } from '../../src/events/cloudevent-decode-error.js';
import { httpRequestToCloudEvents } from '../../src/events/http-binding.js';
import { kafkaRecordToCloudEvent } from '../../src/events/kafka-binding.js';

interface Expectation {
  attributes: Record<string, unknown>;
  data?: unknown;
  dataText?: string;
  dataBytes?: string;
  noData?: boolean;
}

interface BindingCase {
  origin: string;
  name: string;
  binding: 'kafka' | 'http';
  key?: string;
  headers: Record<string, string>;
  value: string | null;
  expect?: Expectation;
  expectBatch?: Expectation[];
  expectError?: string | null;
}

const { cases } = JSON.parse(readFileSync(new URL('./cloudevents-binding-cases.json', import.meta.url), 'utf8')) as {
  cases: BindingCase[];
};
/** Extensions livepipe and Knative's dispatcher add on Kafka reads; not part of the binding. */
const ADDED = ['ingesttime', 'knativekafkapartition', 'knativekafkaoffset'];

function decode(testCase: BindingCase): LiveEvent[] {
  if (testCase.binding === 'http') {
    return httpRequestToCloudEvents(testCase.headers, Buffer.from(testCase.value ?? '', 'utf8'));
  }
  // Headers arrive from kafkajs as Buffers.
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(testCase.headers)) headers[name] = Buffer.from(value, 'utf8');
  const record = {
    topic: 'conformance',
    partition: 0,
    offset: '7',
    key: testCase.key === undefined ? null : Buffer.from(testCase.key),
    value: testCase.value === null ? null : Buffer.from(testCase.value, 'utf8'),
    headers,
    timestamp: '1700000000000',
  };
  return [kafkaRecordToCloudEvent(record, { namespace: 'conformance', name: 'cases' })];
}

function check(event: LiveEvent, expectation: Expectation): void {
  const { data, ...attributes } = event;
  for (const name of ADDED) delete attributes[name];
  expect(attributes).toEqual(expectation.attributes);
  if (expectation.noData) expect(data).toBeUndefined();
  else if (expectation.dataText !== undefined) expect(data).toBe(expectation.dataText);
  else if (expectation.dataBytes !== undefined) {
    expect(Buffer.isBuffer(data)).toBe(true);
    expect((data as Buffer).toString('utf8')).toBe(expectation.dataBytes);
  } else expect(data).toEqual(expectation.data);
}

describe('CloudEvents binding conformance cases', () => {
  it('has cases for both bindings', () => {
    expect(cases.filter((c) => c.binding === 'kafka').length).toBeGreaterThan(5);
    expect(cases.filter((c) => c.binding === 'http').length).toBeGreaterThan(5);
  });

  for (const testCase of cases) {
    it(`${testCase.name} — ${testCase.origin}`, () => {
      if (testCase.expectError) {
        expect(() => decode(testCase)).toThrow(CloudEventDecodeError);
        expect(() => decode(testCase)).toThrow(new RegExp(testCase.expectError));
        return;
      }
      const events = decode(testCase);
      const expected = testCase.expectBatch ?? [testCase.expect!];
      expect(events).toHaveLength(expected.length);
      for (const [i, event] of events.entries()) check(event, expected[i]!);
    });
  }
});
