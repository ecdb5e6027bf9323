// Kafka record → CloudEvent decode rate: livepipe's direct decoder against the cloudevents SDK's
// Kafka.toEvent on the same records, in one process run (the SDK gets string headers: it throws on
// kafkajs' Buffers). Run: npx tsx bench/micro/cloudevents-decode.ts (prints JSON, saved under
// bench/results/micro/; compare the ratios)

import { Kafka } from 'cloudevents';
import { httpRequestToCloudEvents } from '../../src/events/http-binding.js';
import { createKafkaRecordDecoder, type KafkaRecord } from '../../src/events/kafka-binding.js';
import { operationsPerSecond } from '../harness/closed-loop.js';
import { saveMicroBenchmark } from '../harness/micro-benchmark-output.js';

const decode = createKafkaRecordDecoder({ namespace: 'live', name: 'interactions' });
const data = JSON.stringify({
  viewer: { name: 'ana', level: 5 },
  text: 'hello there, great stream!',
  room: 'stream-1',
});

const stringHeaders: Record<string, string> = {
  ce_specversion: '1.0',
  ce_id: 'evt-0001',
  ce_source: '/streams/stream-1',
  ce_type: 'live.chat',
  ce_time: '2024-05-01T10:00:00.123Z',
  ce_stream: 'stream-1',
  'content-type': 'application/json',
};
const bufferHeaders = Object.fromEntries(Object.entries(stringHeaders).map(([k, v]) => [k, Buffer.from(v)]));
const envelope = JSON.stringify({
  specversion: '1.0',
  id: 'evt-0001',
  source: '/streams/stream-1',
  type: 'live.chat',
  time: '2024-05-01T10:00:00.123Z',
  stream: 'stream-1',
  datacontenttype: 'application/json',
  data: JSON.parse(data),
});

function kafkaRecord(headers: KafkaRecord['headers'], value: string): KafkaRecord {
  return {
    topic: 'interactions',
    partition: 0,
    offset: '123456',
    key: Buffer.from('stream-1'),
    value: Buffer.from(value),
    headers,
    timestamp: '1714557600123',
  };
}

const records = {
  binaryBufferHeaders: kafkaRecord(bufferHeaders, data),
  binaryStringHeaders: kafkaRecord(stringHeaders, data),
  structured: kafkaRecord({ 'content-type': Buffer.from('application/cloudevents+json') }, envelope),
  plainJson: kafkaRecord({ 'x-trace-id': Buffer.from('abc123') }, data),
};

/** Calls per second over half a second, after the harness's warm-up. */
function perSecond(run: () => unknown): number {
  return Math.round(operationsPerSecond(run, 500));
}

const sdkBinary = { headers: stringHeaders, value: data, key: 'stream-1' };
const sdkStructured = { headers: { 'content-type': 'application/cloudevents+json' }, value: envelope, key: 'stream-1' };
const sdkBinaryRate = perSecond(() => Kafka.toEvent(sdkBinary as never));
const sdkStructuredRate = perSecond(() => Kafka.toEvent(sdkStructured as never));

const livepipe = {
  binaryBufferHeaders: perSecond(() => decode(records.binaryBufferHeaders)),
  binaryStringHeaders: perSecond(() => decode(records.binaryStringHeaders)),
  structured: perSecond(() => decode(records.structured)),
  plainJson: perSecond(() => decode(records.plainJson)),
};

const httpHeaders = Object.fromEntries(Object.entries(stringHeaders).map(([k, v]) => [k.replace('ce_', 'ce-'), v]));
const httpBody = Buffer.from(data);
const httpBinary = perSecond(() => httpRequestToCloudEvents(httpHeaders, httpBody));

let sdkThrowsOnBufferHeaders = false;
try {
  Kafka.toEvent({ headers: bufferHeaders, value: data } as never);
} catch {
  sdkThrowsOnBufferHeaders = true;
}

await saveMicroBenchmark('cloudevents-decode', {
  node: process.version,
  decodesPerSecond: {
    'livepipe kafka binary (Buffer headers, as kafkajs)': livepipe.binaryBufferHeaders,
    'livepipe kafka binary (string headers)': livepipe.binaryStringHeaders,
    'livepipe kafka structured': livepipe.structured,
    'livepipe kafka plain record → dev.knative.kafka.event': livepipe.plainJson,
    'livepipe http binary': httpBinary,
    'cloudevents SDK Kafka.toEvent binary (string headers)': sdkBinaryRate,
    'cloudevents SDK Kafka.toEvent structured': sdkStructuredRate,
  },
  ratioVsSdk: {
    binaryStringHeaders: +(livepipe.binaryStringHeaders / sdkBinaryRate).toFixed(1),
    binaryBufferHeadersVsSdkStringHeaders: +(livepipe.binaryBufferHeaders / sdkBinaryRate).toFixed(1),
    structured: +(livepipe.structured / sdkStructuredRate).toFixed(1),
  },
  sdkThrowsOnBufferHeaders,
});
