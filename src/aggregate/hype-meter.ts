// The hype meter's curve: rises steeply at first and saturates, reading exactly 1 at the
// configured full scale, so small streams still see the meter move.

const STEEPNESS = 3;
const NORMALISER = 1 - Math.exp(-STEEPNESS);

/** 0..1 for an engagement rate (likes/s + gift coins/s) against the rate that reads as full. */
export function hypeLevel(engagementPerSec: number, fullScale: number): number {
  if (!(engagementPerSec > 0)) return 0;
  if (engagementPerSec >= fullScale) return 1;
  return (1 - Math.exp((-STEEPNESS * engagementPerSec) / fullScale)) / NORMALISER;
}
