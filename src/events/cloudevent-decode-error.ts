// The one error every binding throws for input that is not a valid CloudEvent: sources catch it
// and dead-letter the record (or answer 400/415) with its message as the reason.
import { LivepipeError } from '../errors.js';

export class CloudEventDecodeError extends LivepipeError {
  /** True when the input declared a media type this codec cannot read (HTTP answers 415). */
  readonly unsupportedMediaType: boolean;

  constructor(message: string, options?: { cause?: unknown; unsupportedMediaType?: boolean }) {
    super('LP_EVENT_INVALID', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CloudEventDecodeError';
    this.unsupportedMediaType = options?.unsupportedMediaType ?? false;
  }
}

export function isCloudEventDecodeError(error: unknown): error is CloudEventDecodeError {
  return error instanceof CloudEventDecodeError;
}

/** Prefixes where the input came from to a decode error; anything else is rethrown as it is. */
export function withDecodeContext(error: unknown, context: string): unknown {
  if (!(error instanceof CloudEventDecodeError)) return error;
  return new CloudEventDecodeError(`${context}: ${error.message}`, {
    cause: error.cause,
    unsupportedMediaType: error.unsupportedMediaType,
  });
}
