// The pool's request queue and its flush rule: a batch is due when maxBatch items wait or the
// oldest has waited maxDelayMs, whichever comes first. Pure bookkeeping; the pool owns timers and workers.
import { FifoQueue } from '../../collections/fifo-queue.js';

export interface QueuedItem {
  /** performance.now() when the item was queued. */
  enqueuedAt: number;
}

export class MicroBatcher<Item extends QueuedItem> {
  private readonly queue = new FifoQueue<Item>();

  constructor(
    readonly maxBatch: number,
    readonly maxDelayMs: number,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  push(item: Item): void {
    this.queue.push(item);
  }

  /** Whether a batch should go to an idle worker now. */
  isDue(now: number): boolean {
    const oldest = this.queue.peek();
    if (oldest === undefined) return false;
    return this.length >= this.maxBatch || now - oldest.enqueuedAt >= this.maxDelayMs;
  }

  /** Milliseconds until the oldest item's delay runs out (0 if already due, Infinity if empty). */
  msUntilDue(now: number): number {
    const oldest = this.queue.peek();
    if (oldest === undefined) return Infinity;
    if (this.length >= this.maxBatch) return 0;
    return Math.max(0, oldest.enqueuedAt + this.maxDelayMs - now);
  }

  /** Removes and returns up to maxBatch of the oldest items. */
  take(): Item[] {
    return this.queue.take(this.maxBatch);
  }

  /** Removes and returns everything queued (for failing them all at once). */
  drain(): Item[] {
    return this.queue.drain();
  }
}
