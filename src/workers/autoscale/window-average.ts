// A time-bucketed sliding average with Knative's semantics (pkg/autoscaler/aggregation,
// TimedFloat64Buckets.WindowAverage): a simple, unweighted mean over the buckets of the window, a
// partial window after the first write or when data stopped coming, gaps counted as zero.

export class WindowAverage {
  private readonly buckets: Float64Array;
  /** Bucket index (time / granularity) that each slot holds; -1 when empty. */
  private readonly indexes: Float64Array;
  private firstIndex = -1;
  private lastIndex = -1;

  constructor(
    readonly windowMs: number,
    readonly granularityMs: number,
  ) {
    const count = Math.max(1, Math.ceil(windowMs / granularityMs));
    this.buckets = new Float64Array(count);
    this.indexes = new Float64Array(count).fill(-1);
  }

  /** Adds a value to the bucket of `now` (values in one bucket add up, as pods' reports do in Knative). */
  record(now: number, value: number): void {
    const index = Math.floor(now / this.granularityMs);
    if (this.lastIndex >= 0 && index < this.lastIndex - this.buckets.length + 1) return; // older than a window
    // A whole window without data starts a fresh partial window.
    if (this.lastIndex < 0 || index - this.lastIndex >= this.buckets.length) this.firstIndex = index;
    if (index > this.lastIndex) this.lastIndex = index;
    const slot = index % this.buckets.length;
    if (this.indexes[slot] !== index) {
      this.indexes[slot] = index;
      this.buckets[slot] = 0;
    }
    this.buckets[slot] = (this.buckets[slot] as number) + value;
  }

  /** The mean bucket value over the window ending at `now`; 0 when nothing was written within it. */
  average(now: number): number {
    if (this.lastIndex < 0) return 0;
    const nowIndex = Math.floor(now / this.granularityMs);
    const size = this.buckets.length;
    if (nowIndex - this.lastIndex >= size) return 0;
    const start = Math.max(nowIndex - size + 1, this.firstIndex);
    const end = Math.min(nowIndex, this.lastIndex);
    let total = 0;
    for (let index = start; index <= end; index++) {
      const slot = index % size;
      if (this.indexes[slot] === index) total += this.buckets[slot] as number;
    }
    return total / (end - start + 1);
  }
}
