import { describe, expect, it } from 'vitest';
import { ColdStarts } from '../../../../src/workers/pool/cold-starts.js';

describe('ColdStarts', () => {
  it('has no mean before the first cold start, so a caller falls back to its prior', () => {
    expect(new ColdStarts().meanMs()).toBeUndefined();
    expect(new ColdStarts().stats()).toEqual({ coldStarts: 0, meanColdStartMs: 0, lastColdStartMs: 0 });
  });

  it('counts, averages and reports each cold start', () => {
    const reported: number[] = [];
    const coldStarts = new ColdStarts((ms) => reported.push(ms));
    coldStarts.record(400);
    coldStarts.record(200);
    expect(coldStarts.meanMs()).toBe(300);
    expect(coldStarts.stats()).toEqual({ coldStarts: 2, meanColdStartMs: 300, lastColdStartMs: 200 });
    expect(reported).toEqual([400, 200]);
  });
});
