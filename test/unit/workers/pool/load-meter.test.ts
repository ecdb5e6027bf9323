import { describe, expect, it } from 'vitest';
import { LoadMeter } from '../../../../src/workers/pool/load-meter.js';

describe('LoadMeter', () => {
  it('averages the items in flight over the sample period, weighted by how long each count lasted', () => {
    let inFlight = 0;
    const meter = new LoadMeter(() => inFlight, 0);
    meter.arrive(0);
    inFlight = 4;
    meter.accrue(750);
    inFlight = 0;
    expect(meter.take(1000)).toEqual({ concurrency: 3, arrivals: 1 });
  });

  it('starts each sample afresh', () => {
    let inFlight = 2;
    const meter = new LoadMeter(() => inFlight, 0);
    meter.take(500);
    inFlight = 6;
    meter.accrue(500);
    expect(meter.take(1000)).toEqual({ concurrency: 6, arrivals: 0 });
  });

  it('reads the current count for a sample of no length', () => {
    const meter = new LoadMeter(() => 5, 100);
    expect(meter.take(100).concurrency).toBe(5);
  });
});
