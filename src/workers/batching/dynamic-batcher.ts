// The pool's deadline-aware dynamic batcher (Triton-like flush rules, BentoML-like deadlines): a
// batch is due at maxBatch items, at a preferred size, when the oldest has waited maxDelayMs, or
// when waiting longer would make it miss its deadline by the learned batch time. Items predicted to
// miss follow the deadline policy. Pure bookkeeping over a given clock; the pool owns timers.
import { LivepipeError } from '../../errors.js';
import type { BatchTimeModel } from '../autoscale/batch-time-model.js';
import { FifoQueue } from '../../collections/fifo-queue.js';

/** What happens to an item predicted to miss its deadline (batch.deadlinePolicy; budgets.policy takes the first and last). */
export const DEADLINE_POLICIES = ['deliver-late', 'conflate', 'shed'] as const;
export type DeadlinePolicy = (typeof DEADLINE_POLICIES)[number];

/** The largest batch a pool hands a worker (batch.maxSize). */
export const MAX_BATCH_SIZE = 4096;

/** The rule for batch.preferredSizes, worded once for the config schema and the batcher. */
export function preferredSizeRule(maxBatch: number): string {
  return `a preferred size must be an integer from 1 to batch.maxSize (${maxBatch})`;
}

export interface BatchItem {
  /** Clock time when the item was queued. */
  enqueuedAt: number;
  /** Must be handed to a worker by then (queue budget); Infinity: no limit. */
  startBy: number;
  /** Must be answered by then (end-to-end budget); Infinity: no limit. */
  finishBy: number;
  /** Items with the same key supersede each other under the conflate policy; undefined: never. */
  conflationKey: string | undefined;
}

export interface DynamicBatcherOptions {
  maxBatch: number;
  maxDelayMs: number;
  /** Batch sizes worth flushing at as soon as they are reached (Triton's preferred_batch_size). */
  preferredSizes?: readonly number[];
  policy?: DeadlinePolicy;
}

/** Items the triage took out of the queue, by what happened to them. */
export interface Triage<Item> {
  shed: Item[];
  conflated: Item[];
}

export class DynamicBatcher<Item extends BatchItem> {
  readonly maxBatch: number;
  readonly maxDelayMs: number;
  readonly policy: DeadlinePolicy;
  /** Ascending, each below maxBatch. */
  readonly preferredSizes: readonly number[];
  private readonly model: BatchTimeModel;
  private readonly queue = new FifoQueue<Item>();
  /** The newest queued item of each conflation key. */
  private readonly latestByKey = new Map<string, Item>();

  constructor(options: DynamicBatcherOptions, model: BatchTimeModel) {
    const { maxBatch, maxDelayMs } = options;
    if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH_SIZE) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `batch.maxSize must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${String(maxBatch)}`,
      );
    }
    if (!(maxDelayMs >= 0))
      throw new LivepipeError('LP_CONFIG_INVALID', `batch.maxDelay must be >= 0 ms, got ${String(maxDelayMs)}`);
    const preferred = [...new Set(options.preferredSizes ?? [])].sort((x, y) => x - y);
    for (const size of preferred) {
      if (!Number.isInteger(size) || size < 1 || size > maxBatch) {
        throw new LivepipeError(
          'LP_CONFIG_INVALID',
          `batch.preferredSizes: ${preferredSizeRule(maxBatch)}, got ${size}`,
        );
      }
    }
    const policy = options.policy ?? 'deliver-late';
    if (!DEADLINE_POLICIES.includes(policy)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `deadline policy must be one of ${DEADLINE_POLICIES.join(', ')}, got ${String(policy)}`,
      );
    }
    this.maxBatch = maxBatch;
    this.maxDelayMs = maxDelayMs;
    this.policy = policy;
    this.preferredSizes = preferred.filter((size) => size < maxBatch);
    this.model = model;
  }

  get length(): number {
    return this.queue.length;
  }

  push(item: Item): void {
    this.queue.push(item);
    if (item.conflationKey !== undefined && this.policy === 'conflate') this.latestByKey.set(item.conflationKey, item);
  }

  /** The size take() would return now if the batch is due: maxBatch, else the largest preferred size reached, else all. */
  private sizeFor(length: number, flushAll: boolean): number {
    if (length >= this.maxBatch) return this.maxBatch;
    if (flushAll) return length;
    for (let i = this.preferredSizes.length - 1; i >= 0; i--) {
      const size = this.preferredSizes[i] as number;
      if (length >= size) return size;
    }
    return 0;
  }

  /** When the oldest item stops being allowed to wait: its delay, its queue budget, or its deadline less the batch time. */
  private dueAt(): number {
    const oldest = this.queue.peek();
    if (oldest === undefined) return Infinity;
    const n = Math.min(this.length, this.maxBatch);
    return Math.min(oldest.enqueuedAt + this.maxDelayMs, oldest.startBy, oldest.finishBy - this.model.predict(n));
  }

  /** Whether a batch should go to an idle worker now. */
  isDue(now: number): boolean {
    const length = this.length;
    if (length === 0) return false;
    return this.sizeFor(length, false) > 0 || now >= this.dueAt();
  }

  /** Milliseconds until a batch is due (0 if due now, Infinity if empty). */
  msUntilDue(now: number): number {
    if (this.length === 0) return Infinity;
    if (this.sizeFor(this.length, false) > 0) return 0;
    return Math.max(0, this.dueAt() - now);
  }

  /** Removes and returns the next batch, oldest first (everything up to maxBatch if forced by delay or deadline). */
  take(now: number): Item[] {
    const length = this.length;
    const size = this.sizeFor(length, now >= this.dueAt()) || Math.min(length, this.maxBatch);
    const batch = this.queue.take(size);
    if (this.latestByKey.size > 0) for (const item of batch) this.forget(item);
    return batch;
  }

  /**
   * Applies the deadline policy to the items that cannot make it: an item at queue position i starts
   * after waitMs (until a worker is free) plus the full batches ahead of it spread over `workers`,
   * and finishes t(n) later. Walks from the oldest and stops at the first item that can make it.
   * deliver-late leaves everything queued (lateness is counted when answered).
   */
  triage(now: number, waitMs: number, workers: number): Triage<Item> {
    const outcome: Triage<Item> = { shed: [], conflated: [] };
    if (this.policy === 'deliver-late' || this.length === 0) return outcome;
    const fullBatchMs = this.model.predict(this.maxBatch);
    const lanes = Math.max(1, workers);
    let kept: Item[] | undefined;
    let position = 0;
    while (this.queue.length > 0) {
      const item = this.queue.peek() as Item;
      const start = now + waitMs + Math.floor(position / this.maxBatch / lanes) * fullBatchMs;
      const finish = start + this.model.predict(Math.min(this.maxBatch, this.length + (kept?.length ?? 0)));
      if (start <= item.startBy && finish <= item.finishBy) break;
      this.queue.shift();
      if (this.policy === 'shed') {
        outcome.shed.push(item);
        this.forget(item);
      } else if (item.conflationKey !== undefined && this.latestByKey.get(item.conflationKey) !== item) {
        outcome.conflated.push(item);
      } else {
        // The newest of its key (or keyless): conflation keeps it, late.
        (kept ??= []).push(item);
        position++;
      }
    }
    if (kept !== undefined) this.queue.prepend(kept);
    return outcome;
  }

  /** Removes and returns everything queued (for failing them all at once). */
  drain(): Item[] {
    this.latestByKey.clear();
    return this.queue.drain();
  }

  private forget(item: Item): void {
    if (item.conflationKey !== undefined && this.latestByKey.get(item.conflationKey) === item)
      this.latestByKey.delete(item.conflationKey);
  }
}
