// Reads an HTTP Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. The
// caller caps the result (delivery.retryAfterMax); a date in the past means "now".

const DELAY_SECONDS = /^\d+$/;

/** Milliseconds to wait, or undefined when the header is absent or neither form. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 0) return undefined;
  if (DELAY_SECONDS.test(trimmed)) return Number(trimmed) * 1000;
  // HTTP-date: IMF-fixdate, or the obsolete RFC 850 and asctime forms, all of which Date.parse reads.
  // A bare number with a sign or fraction is neither form, and Date.parse would misread it.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  // asctime carries no zone; HTTP-dates are always GMT, so say so rather than let it read as local time.
  const at = Date.parse(/\b(GMT|UTC)\b/i.test(trimmed) ? trimmed : `${trimmed} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
