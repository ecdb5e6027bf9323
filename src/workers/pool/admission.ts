// Admission to a pool: the queue limit beyond which infer() rejects at once, and the backpressure
// marks (high: ¾ of the limit, low: ½) that sources wait on instead of running into the limit.
import { LivepipeError } from '../../errors.js';

export class Admission {
  readonly queueLimit: number;
  private readonly highWater: number;
  private readonly lowWater: number;
  /** Sources waiting for room; released at the low-water mark. */
  private waiters: Array<() => void> = [];

  constructor(queueLimit: number) {
    if (!Number.isInteger(queueLimit) || queueLimit < 1)
      throw new LivepipeError('LP_CONFIG_INVALID', `queueLimit must be an integer >= 1, got ${String(queueLimit)}`);
    this.queueLimit = queueLimit;
    this.highWater = Math.max(1, Math.floor(queueLimit * 0.75));
    this.lowWater = Math.floor(queueLimit * 0.5);
  }

  /** Whether one more item would go over the limit, with `pending` items already admitted. */
  isFull(pending: number): boolean {
    return pending >= this.queueLimit;
  }

  /**
   * Backpressure: undefined below the high-water mark (or while the pool is not accepting), else a
   * promise that release() resolves once the pool has drained to the low-water mark.
   */
  whenCapacity(pending: number, accepting: boolean): Promise<void> | undefined {
    if (pending < this.highWater || !accepting) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Lets the waiting sources go once pending is down to the low-water mark, or the pool stopped accepting. */
  release(pending: number, accepting: boolean): void {
    if (this.waiters.length === 0) return;
    if (pending > this.lowWater && accepting) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
