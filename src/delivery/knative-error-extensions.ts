// The extensions Knative puts on a dead-lettered event so its consumer can tell where and why
// delivery failed: the destination, the last status code, and the response body (base64, capped).
import type { LiveEvent } from '../events/cloudevent.js';
import type { DeliveryFailure } from './delivery-failure.js';

export const KNATIVE_ERROR_DEST = 'knativeerrordest';
export const KNATIVE_ERROR_CODE = 'knativeerrorcode';
export const KNATIVE_ERROR_DATA = 'knativeerrordata';
/** Knative caps the base64 text (not the body) at 1024 characters: 768 bytes of body. */
export const KNATIVE_ERROR_DATA_MAX_LENGTH = 1024;
/** Knative reports a failure without a response (network error, timeout) as 500. */
export const NO_RESPONSE_CODE = 500;

/** The base64 of `body`, cut to KNATIVE_ERROR_DATA_MAX_LENGTH characters (a multiple of 4: it still decodes). */
export function knativeErrorData(body: Buffer): string {
  const bytes =
    body.length > (KNATIVE_ERROR_DATA_MAX_LENGTH / 4) * 3
      ? body.subarray(0, (KNATIVE_ERROR_DATA_MAX_LENGTH / 4) * 3)
      : body;
  return bytes.toString('base64');
}

/** A copy of `event` with the three knativeerror* extensions; the original is left as it was. */
export function withKnativeError(event: LiveEvent, destination: string, failure: DeliveryFailure): LiveEvent {
  return {
    ...event,
    [KNATIVE_ERROR_DEST]: destination,
    [KNATIVE_ERROR_CODE]: failure.status ?? NO_RESPONSE_CODE,
    [KNATIVE_ERROR_DATA]: knativeErrorData(failure.body),
  };
}
