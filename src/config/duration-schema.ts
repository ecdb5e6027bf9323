// The zod schema of every duration field: text ("20ms", "PT0.5S") or a number of milliseconds,
// read once at load into milliseconds. Each section passes the example its users expect to see.
import { z } from 'zod';
import { parseDuration } from './duration.js';

export const DURATION_EXPECTED = 'expected a duration such as "20ms", "2s", "1m" or ISO-8601 "PT0.5S"';

/** Milliseconds, finite and >= 0 (or > 0 with `positive`); anything else fails with `expected`. */
export function durationSchema(expected: string = DURATION_EXPECTED, options: { positive?: boolean } = {}) {
  const minimumOk = options.positive ? (ms: number) => ms > 0 : (ms: number) => ms >= 0;
  return z.union([z.string(), z.number()], { error: expected }).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDuration(value);
    if (ms !== undefined && Number.isFinite(ms) && minimumOk(ms)) return ms;
    ctx.addIssue({ code: 'custom', message: expected });
    return z.NEVER;
  });
}
