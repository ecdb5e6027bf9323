import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DeliveringSink } from '../../../src/delivery/delivering-sink.js';
import { DeliveryFailure, deliveryFailureOf } from '../../../src/delivery/delivery-failure.js';
import { DeliveryPolicy } from '../../../src/delivery/delivery-policy.js';
import type { Sink } from '../../../src/delivery/sink.js';
import { LivepipeError } from '../../../src/errors.js';
import type { LiveEvent } from '../../../src/events/cloudevent.js';

const event: LiveEvent = { specversion: '1.0', id: 'e1', source: '/s', type: 'live.comment', data: { text: 'hi' } };

const noRetries = new DeliveryPolicy({
  retry: 0,
  backoffPolicy: 'linear',
  backoffDelayMs: 0,
  timeoutMs: 1000,
  retryAfterMaxMs: 0,
});

function refusingSink(name: string, error: unknown): Sink {
  return {
    name,
    start: async () => undefined,
    send: async () => {
      throw error;
    },
    close: async () => undefined,
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('DeliveryFailure', () => {
  it('is a LivepipeError with the code LP_DELIVERY_FAILED', () => {
    const failure = new DeliveryFailure('status', 'answered 503', { status: 503, retryable: true });
    expect(failure).toBeInstanceOf(LivepipeError);
    expect(failure.code).toBe('LP_DELIVERY_FAILED');
    expect(failure.name).toBe('DeliveryFailure');
    expect(failure.reason).toBeUndefined();
  });

  it('wraps any other sink error as a retryable LP_DELIVERY_FAILED, keeping it as the cause', () => {
    const cause = new Error('broker gone');
    const failure = deliveryFailureOf(cause);
    expect(failure).toBeInstanceOf(DeliveryFailure);
    expect(failure).toMatchObject({ code: 'LP_DELIVERY_FAILED', kind: 'network', retryable: true, cause });
    expect(failure.body.toString()).toBe('dispatch error: broker gone');
  });

  it('rejects with the reason dead-letter-failed when the dead-letter sink fails too', async () => {
    const sink = new DeliveringSink(refusingSink('http:subscriber', new Error('refused')), {
      policy: noRetries,
      deadLetterSink: refusingSink('kafka:dead-letters', new Error('also refused')),
      logger: pino({ level: 'silent' }),
    });
    const error = await rejectionOf(sink.send(event));
    expect(error).toBeInstanceOf(DeliveryFailure);
    expect(error).toMatchObject({ code: 'LP_DELIVERY_FAILED', reason: 'dead-letter-failed', retryable: false });
  });

  it('rejects without a reason when there is no dead-letter sink (the pipeline counts sink-failed)', async () => {
    const sink = new DeliveringSink(refusingSink('http:subscriber', new Error('refused')), { policy: noRetries });
    const error = await rejectionOf(sink.send(event));
    expect(error).toBeInstanceOf(DeliveryFailure);
    expect(error).toMatchObject({ code: 'LP_DELIVERY_FAILED', reason: undefined });
  });
});
