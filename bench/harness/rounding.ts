// Rounding for reported figures: a fixed number of decimals, so JSON results and tables stay readable.

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits: number): number {
  const p = 10 ** digits;
  return Math.round(value * p) / p;
}
