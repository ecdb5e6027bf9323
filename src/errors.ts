// Errors a user can act on carry a stable code and say what to do; the CLI prints them without a
// stack trace. Anything that is not a LivepipeError is a bug and keeps its stack.

export type ErrorCode =
  | 'LP_CONFIG_INVALID'
  | 'LP_CONFIG_NOT_FOUND'
  | 'LP_FILTER_INVALID'
  | 'LP_MODEL_NOT_FOUND'
  | 'LP_MODEL_INVALID'
  | 'LP_WORKER_FAILED'
  | 'LP_PIPELINE_STATE'
  | 'LP_EVENT_INVALID'
  | 'LP_BROKER_UNAVAILABLE'
  | 'LP_DELIVERY_FAILED'
  | 'LP_FILTER_FAILED'
  | 'LP_POOL_REJECTED';

export class LivepipeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LivepipeError';
    this.code = code;
  }
}

export function isLivepipeError(error: unknown): error is LivepipeError {
  return error instanceof LivepipeError;
}

/** The message of anything thrown (an Error's message, else its string form), for logs and dead letters. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
