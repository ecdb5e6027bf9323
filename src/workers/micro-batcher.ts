// The pool's request queue and its flush rule: a batch is due when maxBatch items wait or the
// oldest has waited maxDelayMs, whichever comes first. Pure bookkeeping; the pool owns timers and workers.

export interface QueuedItem {
  /** performance.now() when the item was queued. */
  enqueuedAt: number;
}

export class MicroBatcher<Item extends QueuedItem> {
  private items: Item[] = [];
  private head = 0;

  constructor(
    readonly maxBatch: number,
    readonly maxDelayMs: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: Item): void {
    this.items.push(item);
  }

  /** Whether a batch should go to an idle worker now. */
  isDue(now: number): boolean {
    const oldest = this.items[this.head];
    if (oldest === undefined) return false;
    return this.length >= this.maxBatch || now - oldest.enqueuedAt >= this.maxDelayMs;
  }

  /** Milliseconds until the oldest item's delay runs out (0 if already due, Infinity if empty). */
  msUntilDue(now: number): number {
    const oldest = this.items[this.head];
    if (oldest === undefined) return Infinity;
    if (this.length >= this.maxBatch) return 0;
    return Math.max(0, oldest.enqueuedAt + this.maxDelayMs - now);
  }

  /** Removes and returns up to maxBatch of the oldest items. */
  take(): Item[] {
    const end = Math.min(this.items.length, this.head + this.maxBatch);
    const batch = this.items.slice(this.head, end);
    this.head = end;
    // Compact now and then instead of shifting on every take.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Removes and returns everything queued (for failing them all at once). */
  drain(): Item[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}
