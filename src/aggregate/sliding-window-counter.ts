// Per-stream sliding-window sums in a ring of fixed-width buckets: O(1) to add, O(buckets) to
// read, no allocation after construction. Each slot remembers which absolute bucket it holds, so
// stale slots are recognised (and reset on write) after any idle gap without a sweep.

export class SlidingWindowCounter {
  readonly bucketMs: number;
  readonly buckets: number;
  readonly channels: number;
  private readonly values: Float64Array;
  private readonly slotBucket: Float64Array;
  private newest = -Infinity;

  /** `windowMs` must be a positive multiple of `bucketMs` (the caller validates user input). */
  constructor(windowMs: number, bucketMs: number, channels: number) {
    this.bucketMs = bucketMs;
    this.buckets = Math.round(windowMs / bucketMs);
    this.channels = channels;
    this.values = new Float64Array(this.buckets * channels);
    this.slotBucket = new Float64Array(this.buckets).fill(-Infinity);
  }

  /**
   * The offset of the slot for time `atMs`, ready for increment(); -1 when `atMs` is older than
   * the window behind the newest time seen (a late event that no longer counts).
   */
  slot(atMs: number): number {
    const bucket = Math.floor(atMs / this.bucketMs);
    if (bucket <= this.newest - this.buckets) return -1;
    if (bucket > this.newest) this.newest = bucket;
    const slot = bucket % this.buckets;
    const index = slot < 0 ? slot + this.buckets : slot;
    const offset = index * this.channels;
    if (this.slotBucket[index] !== bucket) {
      this.slotBucket[index] = bucket;
      this.values.fill(0, offset, offset + this.channels);
    }
    return offset;
  }

  increment(slot: number, channel: number, value: number): void {
    this.values[slot + channel] = (this.values[slot + channel] as number) + value;
  }

  /** Sum of a channel over the window of buckets ending with the one that holds `nowMs`. */
  sum(channel: number, nowMs: number): number {
    const current = Math.floor(nowMs / this.bucketMs);
    const oldest = current - this.buckets;
    let total = 0;
    for (let index = 0; index < this.buckets; index++) {
      const bucket = this.slotBucket[index] as number;
      if (bucket > oldest && bucket <= current) total += this.values[index * this.channels + channel] as number;
    }
    return total;
  }
}
