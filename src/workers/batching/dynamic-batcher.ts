// The pool's deadline-aware dynamic batcher (Triton-like flush rules, BentoML-like deadlines): a
// batch is due at maxBatch items, at a preferred size, when the oldest has waited maxDelayMs, or
// when waiting longer would make it miss its deadline by the learned batch time. Items predicted to
// miss follow the deadline policy. Pure bookkeeping over a given clock; the pool owns timers.
//
// With maxTokens (text-embeddings-inference's max-batch-tokens) a batch is also bounded by its
// padded cost, size × longest token estimate, and with bucketing it is formed of items of similar
// length (half-octave buckets: ≤ 8, 12, 16, 24, 32, … tokens), so short messages are not padded to
// long ones. The oldest item always goes in the next batch, with the oldest items of its bucket;
// the batch-time model then counts padded tokens, not items (t ≈ a·paddedTokens + b).
import { LivepipeError } from '../../errors.js';
import type { BatchTimeModel } from '../autoscale/batch-time-model.js';
import { FifoQueue } from '../../collections/fifo-queue.js';

/** The largest token budget per batch (batch.maxTokens). */
export const MAX_BATCH_TOKENS = 1_048_576;

/** Padded tokens per item assumed before the first token batch was formed (chat: ~7 real tokens). */
export const PADDED_TOKENS_PRIOR = 16;
/** Weight of each new batch in the running mean of padded tokens per item. */
const PADDED_TOKENS_ALPHA = 0.1;
/** Buckets kept: half-octaves up to 2^31 tokens. */
const BUCKETS = 64;

/**
 * The length bucket of a token count: 2 tokens and below → 0, then half-octaves — (2^k, 1.5·2^k]
 * → 2k+1 and (1.5·2^k, 2^(k+1)] → 2k+2 — so items in one bucket differ by at most a third.
 */
export function bucketOf(tokens: number): number {
  if (tokens <= 2) return 0;
  const t = Math.ceil(tokens);
  const k = 31 - Math.clz32(t - 1);
  return t <= 3 * 2 ** (k - 1) ? 2 * k + 1 : 2 * k + 2;
}

/** The largest token count in a bucket. */
export function bucketBound(bucket: number): number {
  if (bucket === 0) return 2;
  const k = (bucket - 1) >> 1;
  return bucket % 2 === 1 ? 3 * 2 ** (k - 1) : 2 ** (k + 1);
}

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
  /** Estimated token count (special tokens included); read only with maxTokens. */
  tokens: number;
  /** Items with the same key supersede each other under the conflate policy; undefined: never. */
  conflationKey: string | undefined;
}

export interface DynamicBatcherOptions {
  maxBatch: number;
  maxDelayMs: number;
  /**
   * Batch sizes worth flushing at as soon as they are reached (Triton's preferred_batch_size); with
   * maxTokens, reached by the oldest item's bucket, and the batch then takes all that fits.
   */
  preferredSizes?: readonly number[];
  policy?: DeadlinePolicy;
  /** Token budget per batch, size × longest item's tokens; omitted: batches bounded by count only. */
  maxTokens?: number;
  /** With maxTokens, form each batch from the oldest item's length bucket (default true). */
  bucketing?: boolean;
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
  readonly maxTokens: number | undefined;
  readonly bucketing: boolean;
  private readonly model: BatchTimeModel;
  private readonly queue = new FifoQueue<Item>();
  /** The newest queued item of each conflation key. */
  private readonly latestByKey = new Map<string, Item>();
  /** With maxTokens: queued items per length bucket, and their estimated tokens in all. */
  private readonly bucketCounts = new Int32Array(BUCKETS);
  private queuedTokens = 0;
  /** With maxTokens: running mean of padded tokens per item over the batches taken. */
  private paddedPerItem = PADDED_TOKENS_PRIOR;

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
    const { maxTokens } = options;
    if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_BATCH_TOKENS)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `batch.maxTokens must be an integer from 1 to ${MAX_BATCH_TOKENS} (e.g. 512: 32 items of 16 tokens), got ${String(maxTokens)}`,
      );
    }
    this.preferredSizes = preferred.filter((size) => size < maxBatch);
    this.maxTokens = maxTokens;
    this.bucketing = maxTokens !== undefined && (options.bucketing ?? true);
    this.model = model;
  }

  /** Whether batches are bounded by tokens, and the batch-time model counts padded tokens. */
  get tokenAware(): boolean {
    return this.maxTokens !== undefined;
  }

  /**
   * A batch's work in the batch-time model's unit: its items, or with maxTokens its padded tokens
   * (size × longest estimate).
   */
  workOf(batch: readonly Item[]): number {
    if (this.maxTokens === undefined) return batch.length;
    let longest = 0;
    for (const item of batch) if (item.tokens > longest) longest = item.tokens;
    return batch.length * longest;
  }

  /** The work of a typical batch of n items (with maxTokens, at the running mean of padded tokens per item). */
  workOfItems(n: number): number {
    return this.maxTokens === undefined ? n : n * this.paddedPerItem;
  }

  /** Items in a full batch: maxBatch, or with maxTokens as many typical items as the budget holds. */
  fullBatchItems(): number {
    if (this.maxTokens === undefined) return this.maxBatch;
    return Math.max(1, Math.min(this.maxBatch, Math.floor(this.maxTokens / this.paddedPerItem)));
  }

  /** Predicted time of a typical batch of n items (ms). */
  predictItems(n: number): number {
    return this.model.predict(this.workOfItems(n));
  }

  get length(): number {
    return this.queue.length;
  }

  push(item: Item): void {
    this.queue.push(item);
    if (this.maxTokens !== undefined) this.countIn(item);
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

  /**
   * With maxTokens, the batch take() would form now, bounded from above without a scan: its items
   * (the oldest's bucket, or the whole queue) and the token count each is padded to at most (that
   * bucket's bound, or the longest bucket queued).
   */
  private nextGroup(oldest: Item, maxTokens: number): { items: number; paddedTo: number; cap: number } {
    let available = this.length;
    let bucket = bucketOf(oldest.tokens);
    if (this.bucketing) available = this.bucketCounts[bucket] as number;
    else {
      for (let b = BUCKETS - 1; b > bucket; b--) {
        if ((this.bucketCounts[b] as number) > 0) {
          bucket = b;
          break;
        }
      }
    }
    const paddedTo = bucketBound(bucket);
    const cap = Math.max(1, Math.min(this.maxBatch, Math.floor(maxTokens / paddedTo)));
    return { items: Math.min(available, cap), paddedTo, cap };
  }

  /** With maxTokens: full when the next batch reaches its size or token cap, or a budget's worth is queued. */
  private tokenBatchFull(): boolean {
    const oldest = this.queue.peek() as Item;
    const maxTokens = this.maxTokens as number;
    if (this.length >= this.maxBatch || this.queuedTokens >= maxTokens) return true;
    const group = this.nextGroup(oldest, maxTokens);
    if (group.items >= group.cap) return true;
    const smallest = this.preferredSizes[0];
    return smallest !== undefined && group.items >= smallest;
  }

  /** When the oldest item stops being allowed to wait: its delay, its queue budget, or its deadline less the batch time. */
  private dueAt(): number {
    const oldest = this.queue.peek();
    if (oldest === undefined) return Infinity;
    let work: number;
    if (this.maxTokens === undefined) work = Math.min(this.length, this.maxBatch);
    else {
      const group = this.nextGroup(oldest, this.maxTokens);
      work = group.items * group.paddedTo;
    }
    return Math.min(oldest.enqueuedAt + this.maxDelayMs, oldest.startBy, oldest.finishBy - this.model.predict(work));
  }

  /** Whether a batch of the size rules is queued (count: maxBatch or a preferred size; tokens: a full group). */
  private full(): boolean {
    return this.maxTokens === undefined ? this.sizeFor(this.length, false) > 0 : this.tokenBatchFull();
  }

  /** Whether a batch should go to an idle worker now. */
  isDue(now: number): boolean {
    if (this.length === 0) return false;
    return this.full() || now >= this.dueAt();
  }

  /** Milliseconds until a batch is due (0 if due now, Infinity if empty). */
  msUntilDue(now: number): number {
    if (this.length === 0) return Infinity;
    if (this.full()) return 0;
    return Math.max(0, this.dueAt() - now);
  }

  /**
   * Removes and returns the next batch, oldest first (everything up to maxBatch if forced by delay
   * or deadline). With maxTokens: the oldest item, then the oldest items of its bucket (or of the
   * queue, without bucketing) while size × longest stays within the budget.
   */
  take(now: number): Item[] {
    if (this.maxTokens !== undefined) return this.takeTokens(this.maxTokens);
    const length = this.length;
    const size = this.sizeFor(length, now >= this.dueAt()) || Math.min(length, this.maxBatch);
    const batch = this.queue.take(size);
    if (this.latestByKey.size > 0) for (const item of batch) this.forget(item);
    return batch;
  }

  private takeTokens(maxTokens: number): Item[] {
    const oldest = this.queue.shift();
    if (oldest === undefined) return [];
    this.countOut(oldest);
    const batch = [oldest];
    const bucket = bucketOf(oldest.tokens);
    let longest = oldest.tokens;
    let skipped: Item[] | undefined;
    // With bucketing, the scan ends once the bucket has no queued item left.
    while (batch.length < this.maxBatch && this.queue.length > 0) {
      if (this.bucketing && this.bucketCounts[bucket] === 0) break;
      const item = this.queue.peek() as Item;
      if (this.bucketing && bucketOf(item.tokens) !== bucket) {
        (skipped ??= []).push(this.queue.shift() as Item);
        continue;
      }
      const paddedTo = Math.max(longest, item.tokens);
      if ((batch.length + 1) * paddedTo > maxTokens) break;
      longest = paddedTo;
      batch.push(this.queue.shift() as Item);
      this.countOut(item);
    }
    if (skipped !== undefined) this.queue.prepend(skipped);
    this.paddedPerItem += PADDED_TOKENS_ALPHA * (longest - this.paddedPerItem);
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
    const fullItems = this.fullBatchItems();
    const fullBatchMs = this.predictItems(fullItems);
    const lanes = Math.max(1, workers);
    let kept: Item[] | undefined;
    let position = 0;
    while (this.queue.length > 0) {
      const item = this.queue.peek() as Item;
      const start = now + waitMs + Math.floor(position / fullItems / lanes) * fullBatchMs;
      const finish = start + this.predictItems(Math.min(fullItems, this.length + (kept?.length ?? 0)));
      if (start <= item.startBy && finish <= item.finishBy) break;
      this.queue.shift();
      if (this.maxTokens !== undefined) this.countOut(item);
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
    if (kept !== undefined) {
      this.queue.prepend(kept);
      if (this.maxTokens !== undefined) for (const item of kept) this.countIn(item);
    }
    return outcome;
  }

  /** Removes and returns everything queued (for failing them all at once). */
  drain(): Item[] {
    this.latestByKey.clear();
    this.bucketCounts.fill(0);
    this.queuedTokens = 0;
    return this.queue.drain();
  }

  private countIn(item: Item): void {
    (this.bucketCounts[bucketOf(item.tokens)] as number)++;
    this.queuedTokens += item.tokens;
  }

  private countOut(item: Item): void {
    (this.bucketCounts[bucketOf(item.tokens)] as number)--;
    this.queuedTokens -= item.tokens;
  }

  private forget(item: Item): void {
    if (item.conflationKey !== undefined && this.latestByKey.get(item.conflationKey) === item)
      this.latestByKey.delete(item.conflationKey);
  }
}
