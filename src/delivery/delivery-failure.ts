// Why one delivery attempt failed, in the terms the retry policy and the dead-letter extensions
// need: the HTTP status (if any), the response body, Retry-After, and whether a retry can help.
import { LivepipeError, messageOf } from '../errors.js';

export type DeliveryFailureKind = 'status' | 'network' | 'timeout' | 'bad-reply';

export class DeliveryFailure extends LivepipeError {
  readonly kind: DeliveryFailureKind;
  /** The response status; undefined when no response came (network error, timeout). */
  readonly status: number | undefined;
  /** The response body (failures only; what knativeerrordata carries). */
  readonly body: Buffer;
  /** Retry-After in ms (429/503), already parsed. */
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  /** Dead-letter reason for the pipeline (livepipe_events_dropped_total{reason}); undefined: sink-failed. */
  readonly reason: string | undefined;

  constructor(
    kind: DeliveryFailureKind,
    message: string,
    details: {
      status?: number;
      body?: Buffer;
      retryAfterMs?: number;
      retryable: boolean;
      reason?: string;
      cause?: unknown;
    },
  ) {
    super('LP_DELIVERY_FAILED', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DeliveryFailure';
    this.kind = kind;
    this.status = details.status;
    this.body = details.body ?? Buffer.alloc(0);
    this.retryAfterMs = details.retryAfterMs;
    this.retryable = details.retryable;
    this.reason = details.reason;
  }
}

export function isDeliveryFailure(error: unknown): error is DeliveryFailure {
  return error instanceof DeliveryFailure;
}

/**
 * Any other error from a sink (a Kafka producer, a file) counts as Knative counts a dispatch
 * error: retryable, code 500, body "dispatch error: <message>".
 */
export function deliveryFailureOf(error: unknown): DeliveryFailure {
  if (isDeliveryFailure(error)) return error;
  const message = messageOf(error);
  return new DeliveryFailure('network', message, {
    body: Buffer.from(`dispatch error: ${message}`, 'utf8'),
    retryable: true,
    cause: error,
  });
}
