// At-least-once bookkeeping for one partition: offsets are begun in fetch order and may complete in
// any order; the commit point is the offset after the longest completed prefix, so a commit never
// skips an event still being delivered. Gaps (compaction, transaction markers) are not waited for.

/** Offsets begun and not yet committable, in fetch order; completion flags beside them. */
export class OffsetTracker {
  private offsets: number[] = [];
  private done: boolean[] = [];
  private head = 0;
  private inFlightCount = 0;
  private nextCommit: number | undefined;
  private lastBegunOffset = -1;

  /** Registers a fetched offset; offsets must ascend (a partition is read in order). */
  begin(offset: number): void {
    if (!(offset > this.lastBegunOffset)) {
      throw new RangeError(`offset ${offset} begun after ${this.lastBegunOffset}; a partition's offsets must ascend`);
    }
    this.lastBegunOffset = offset;
    this.offsets.push(offset);
    this.done.push(false);
    this.inFlightCount++;
  }

  /**
   * Marks a begun offset as delivered (or dead-lettered). Returns true when the commit point moved.
   * Completing an offset that was never begun, or twice, is a bug in the caller.
   */
  complete(offset: number): boolean {
    const index = this.indexOf(offset);
    if (index < 0 || this.done[index]) throw new RangeError(`offset ${offset} is not in flight`);
    this.done[index] = true;
    this.inFlightCount--;
    if (index !== this.head) return false;
    let head = this.head;
    const length = this.offsets.length;
    while (head < length && this.done[head]) head++;
    this.nextCommit = (this.offsets[head - 1] as number) + 1;
    this.head = head;
    if (head === length) {
      this.offsets = [];
      this.done = [];
      this.head = 0;
    } else if (head > 1024 && head * 2 > length) {
      this.offsets = this.offsets.slice(head);
      this.done = this.done.slice(head);
      this.head = 0;
    }
    return true;
  }

  /** The offset to commit (the next one to read), or undefined while nothing has completed in order. */
  get committable(): number | undefined {
    return this.nextCommit;
  }

  /** The highest offset begun so far; -1 before the first. */
  get lastBegun(): number {
    return this.lastBegunOffset;
  }

  /** Begun and not completed. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  private indexOf(offset: number): number {
    let low = this.head;
    let high = this.offsets.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = this.offsets[middle] as number;
      if (value === offset) return middle;
      if (value < offset) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }
}
