// A pool's load as its autoscaler reads it, the way Knative's queue-proxy reports it: items in
// flight (queued + running) integrated over time, and arrivals, since the previous sample.
import { performance } from 'node:perf_hooks';
import type { LoadSample } from '../autoscale/autoscaler.js';

export class LoadMeter {
  private readonly inFlight: () => number;
  private area = 0;
  private since: number;
  private sampleStart: number;
  private arrivals = 0;

  /** @param inFlight the items in flight now; the meter reads it before each change (accrue) and at each sample. */
  constructor(inFlight: () => number, now = performance.now()) {
    this.inFlight = inFlight;
    this.since = now;
    this.sampleStart = now;
  }

  /** Integrates the load up to now; call it before anything changes the items in flight. */
  accrue(now: number): void {
    if (now <= this.since) return;
    this.area += this.inFlight() * (now - this.since);
    this.since = now;
  }

  /** An item arrives (accrued first, since it is about to count in flight). */
  arrive(now: number): void {
    this.accrue(now);
    this.arrivals++;
  }

  /** Time-averaged items in flight and arrivals since the previous call. */
  take(now: number): LoadSample {
    this.accrue(now);
    const elapsed = now - this.sampleStart;
    const sample = { concurrency: elapsed > 0 ? this.area / elapsed : this.inFlight(), arrivals: this.arrivals };
    this.area = 0;
    this.arrivals = 0;
    this.sampleStart = now;
    return sample;
  }
}
