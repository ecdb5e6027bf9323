// Percentiles of the most recent observations for the status line: a fixed ring of the last N
// values, O(1) to record, sorted only when read (every few seconds), exact over what it holds.

export class RollingPercentiles {
  readonly capacity: number;
  private readonly ring: Float64Array;
  private readonly scratch: Float64Array;
  private next = 0;
  private held = 0;

  constructor(capacity = 2048) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`RollingPercentiles capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.ring = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
  }

  record(value: number): void {
    this.ring[this.next] = value;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.held < this.capacity) this.held++;
  }

  /** How many observations the estimate is over (at most capacity). */
  get count(): number {
    return this.held;
  }

  /**
   * Nearest-rank percentiles (p in 0..100) of the held observations, in the order asked;
   * NaN for each when nothing has been recorded.
   */
  percentiles(ps: readonly number[]): number[] {
    const n = this.held;
    if (n === 0) return ps.map(() => Number.NaN);
    const sorted = this.scratch.subarray(0, n);
    sorted.set(this.ring.subarray(0, n));
    sorted.sort();
    return ps.map((p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] as number);
  }

  reset(): void {
    this.next = 0;
    this.held = 0;
  }
}
