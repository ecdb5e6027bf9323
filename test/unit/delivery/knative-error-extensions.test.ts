import { describe, expect, it } from 'vitest';
import { DeliveryFailure, deliveryFailureOf } from '../../../src/delivery/delivery-failure.js';
import {
  KNATIVE_ERROR_DATA_MAX_LENGTH,
  knativeErrorData,
  withKnativeError,
} from '../../../src/delivery/knative-error-extensions.js';
import type { LiveEvent } from '../../../src/events/cloudevent.js';

const event: LiveEvent = { specversion: '1.0', id: 'e1', source: '/s', type: 'live.comment', data: { text: 'hi' } };

describe('knativeerror* extensions', () => {
  it('carries the destination, the status and the base64 response body', () => {
    const failure = new DeliveryFailure('status', 'answered 503', {
      status: 503,
      body: Buffer.from('overloaded'),
      retryable: true,
    });
    const letter = withKnativeError(event, 'http://127.0.0.1:1/hook', failure);
    expect(letter).toMatchObject({
      knativeerrordest: 'http://127.0.0.1:1/hook',
      knativeerrorcode: 503,
      id: 'e1',
      data: { text: 'hi' },
    });
    expect(Buffer.from(letter.knativeerrordata as string, 'base64').toString()).toBe('overloaded');
    expect(event.knativeerrorcode).toBeUndefined();
  });

  it('reports a failure without a response as 500 with the dispatch error', () => {
    const letter = withKnativeError(event, 'http://x/', deliveryFailureOf(new Error('ECONNREFUSED')));
    expect(letter.knativeerrorcode).toBe(500);
    expect(Buffer.from(letter.knativeerrordata as string, 'base64').toString()).toBe('dispatch error: ECONNREFUSED');
  });

  it('caps the base64 text at 1024 characters, still decodable', () => {
    const body = Buffer.alloc(5000, 0x61);
    const data = knativeErrorData(body);
    expect(data.length).toBe(KNATIVE_ERROR_DATA_MAX_LENGTH);
    expect(Buffer.from(data, 'base64')).toEqual(body.subarray(0, 768));
  });

  it('keeps a short body whole', () => {
    expect(Buffer.from(knativeErrorData(Buffer.from('no')), 'base64').toString()).toBe('no');
  });
});
