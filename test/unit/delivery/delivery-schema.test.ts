import { describe, expect, it } from 'vitest';
import { deliverySchema, httpSubscriberSchema } from '../../../src/config/delivery-schema.js';

describe('delivery schema', () => {
  it('reads ISO-8601 durations into milliseconds', () => {
    const spec = deliverySchema.parse({ retry: 3, backoffDelay: 'PT0.2S', timeout: 'PT1M30S', retryAfterMax: 'PT0S' });
    expect(spec).toMatchObject({
      retry: 3,
      backoffPolicy: 'exponential',
      backoffDelay: 200,
      timeout: 90_000,
      retryAfterMax: 0,
    });
  });

  it('reads day and hour ISO-8601 parts', () => {
    expect(deliverySchema.parse({ timeout: 'P1DT1H' }).timeout).toBe(90_000_000);
  });

  it('fills the defaults of an empty section', () => {
    expect(deliverySchema.parse({})).toEqual({
      retry: 0,
      backoffPolicy: 'exponential',
      backoffDelay: 200,
      timeout: 10_000,
      retryAfterMax: 30_000,
    });
  });

  it.each([
    ['a duration that is not ISO-8601', { backoffDelay: 'FOO' }],
    ['a zero timeout', { timeout: 'PT0S' }],
    ['a negative retry', { retry: -1 }],
    ['an unknown backoff policy', { backoffPolicy: 'random' }],
    ['an unknown field', { retries: 3 }],
    ['a dead-letter sink with two kinds', { deadLetterSink: { uri: 'http://a/', file: 'x.jsonl' } }],
    ['a dead-letter uri that is not http', { deadLetterSink: { uri: 'ftp://a/' } }],
  ])('rejects %s', (_what, input) => {
    expect(deliverySchema.safeParse(input).success).toBe(false);
  });

  it('accepts each dead-letter sink kind', () => {
    expect(deliverySchema.parse({ deadLetterSink: { uri: 'http://127.0.0.1:9/dls' } }).deadLetterSink).toEqual({
      uri: 'http://127.0.0.1:9/dls',
    });
    expect(deliverySchema.parse({ deadLetterSink: { file: 'dead.jsonl' } }).deadLetterSink).toEqual({
      file: 'dead.jsonl',
    });
    expect(deliverySchema.parse({ deadLetterSink: { kafka: { topic: 'dlq' } } }).deadLetterSink).toMatchObject({
      kafka: { topic: 'dlq', brokers: ['127.0.0.1:9092'] },
    });
  });
});

describe('uri subscriber schema', () => {
  it('defaults to binary mode', () => {
    expect(httpSubscriberSchema.parse({ uri: 'http://127.0.0.1:8080/' })).toEqual({
      uri: 'http://127.0.0.1:8080/',
      format: 'binary',
      concurrency: 64,
    });
  });

  it('rejects a relative uri and an unknown format', () => {
    expect(httpSubscriberSchema.safeParse({ uri: '/hook' }).success).toBe(false);
    expect(httpSubscriberSchema.safeParse({ uri: 'http://a/', format: 'batch' }).success).toBe(false);
  });
});
