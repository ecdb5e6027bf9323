// The part of a model pool that does not depend on where its batches run: admission and the queue
// limit, the deadline-aware batcher and its policy, the load the autoscaler reads, the lifecycle
// (start, drain on close) and answering or rejecting every item, each counted. A backend (worker
// threads here, `livepipe worker` processes behind Redis) says how it opens, hands batches on and closes.
import { performance } from 'node:perf_hooks';
import { LivepipeError } from '../../errors.js';
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';
import {
  PoolAutoscaler,
  type AutoscaleOptions,
  type LoadSample,
  type ScalableTarget,
} from '../autoscale/autoscaler.js';
import { BatchTimeModel, DEFAULT_BATCH_TIME_PRIOR } from '../autoscale/batch-time-model.js';
import type { ScaleDecision } from '../autoscale/kpa.js';
import {
  DynamicBatcher,
  PADDED_TOKENS_PRIOR,
  type BatchItem,
  type DeadlinePolicy,
} from '../batching/dynamic-batcher.js';
import { estimateTokens } from '../batching/token-estimate.js';
import { Admission } from './admission.js';
import { LoadMeter } from './load-meter.js';
import type {
  DeadlineOutcome,
  InferenceInput,
  InferenceResult,
  InferOptions,
  ModelPool,
  PoolEvents,
} from './model-pool.js';
import { POOL_REJECTION_REASONS, PoolRejection, type PoolRejectionReason } from './pool-rejection.js';
import { WakeTimer } from './wake-timer.js';

/** Weight of each counted batch in the correction of the token estimate. */
const TOKEN_SCALE_ALPHA = 0.1;
/** The correction stays within [1/4, 4]: beyond that the estimate does not fit the tokenizer at all. */
const MAX_TOKEN_SCALE = 4;

export type PoolState = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed';

/** What every pool takes, whatever runs its batches. */
export interface BatchingOptions {
  maxBatch: number;
  maxDelayMs: number;
  /** Items accepted and not answered beyond which infer() rejects with queue-full (the backend says which count). */
  queueLimit: number;
  /** Flush as soon as one of these sizes is queued (Triton's preferred batch sizes). */
  preferredSizes?: readonly number[];
  /** Token budget per batch (size × longest estimated item); omitted: batches bounded by count only. */
  maxTokens?: number;
  /** With maxTokens, batch items of similar estimated length together (default true). */
  bucketing?: boolean;
  /** What happens to an item predicted to miss its deadline; default deliver-late. */
  deadlinePolicy?: DeadlinePolicy;
  /** Queue stage budget: an item must start running within it (and the autoscaler predicts against it). */
  queueBudgetMs?: number;
  /** Grow and shrink with the load; omitted: the backend's fixed size. */
  autoscale?: AutoscaleOptions;
  events?: PoolEvents;
}

/** What every pool counts (part of each backend's stats()). */
export interface PoolCounts {
  completed: number;
  rejected: number;
  rejectedBy: Record<PoolRejectionReason, number>;
  batches: number;
  meanBatchSize: number;
  /** Items handled by the deadline policy (late: answered after their deadline). */
  deadline: Record<DeadlineOutcome, number>;
  /** Requests that found the pool scaled to zero and woke it. */
  activations: number;
  /** The learned batch time t(n) ≈ perItemMs·n + fixedMs; n counts padded tokens with batch.maxTokens. */
  batchTime: { perItemMs: number; fixedMs: number; batches: number };
  /** What n counts in batchTime: items, or with batch.maxTokens padded tokens (perItemMs is then ms per token). */
  batchTimeUnit: 'item' | 'token';
  /**
   * Tokens of the batches answered: real ones and padded ones (size × longest), as the worker
   * counted them for transformer models, else as estimated on the main thread.
   */
  tokens: { real: number; padded: number };
  lastDecision: ScaleDecision | undefined;
}

/** A batch's tokens as the worker's tokenizer counted them (transformer models). */
export interface BatchTokenCounts {
  /** Each text's tokens, special tokens included, after truncation. */
  tokenCounts: ArrayLike<number>;
  /** The length every text was padded to. */
  sequenceLength: number;
}

/** An item infer() accepted, until it is answered or rejected. */
export interface PendingItem extends BatchItem {
  readonly id: string;
  readonly text: string;
  resolve(result: InferenceResult): void;
  reject(error: PoolRejection): void;
}

export abstract class BatchingPool implements ModelPool, ScalableTarget {
  protected state: PoolState = 'created';
  protected readonly batchTime: BatchTimeModel;
  protected readonly batcher: DynamicBatcher<PendingItem>;
  protected readonly load = new LoadMeter(() => this.itemsInFlight());
  protected readonly wakeTimer = new WakeTimer(() => this.pump());
  protected readonly events: PoolEvents;
  protected readonly autoscaler: PoolAutoscaler | undefined;
  /** Items handed on to workers and not yet answered or failed. */
  protected handedOff = 0;
  /** Names the pool in messages, e.g. 'inference pool'. */
  private readonly label: string;
  private readonly admission: Admission;
  private readonly queueBudgetMs: number | undefined;
  private readonly rejectedBy = Object.fromEntries(POOL_REJECTION_REASONS.map((reason) => [reason, 0])) as Record<
    PoolRejectionReason,
    number
  >;
  private readonly deadline: Record<DeadlineOutcome, number> = { late: 0, shed: 0, conflated: 0 };
  private completed = 0;
  private batches = 0;
  private batchedItems = 0;
  private realTokens = 0;
  private paddedTokens = 0;
  /** Real tokens per estimated token, learned from the workers' counts (1 until a tokenizer has counted). */
  private tokenScale = 1;
  private activations = 0;
  private startup: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  protected constructor(label: string, options: BatchingOptions) {
    if (options.queueBudgetMs !== undefined && !(options.queueBudgetMs > 0)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `${label}: queueBudgetMs must be > 0 ms, got ${String(options.queueBudgetMs)}`,
      );
    }
    this.label = label;
    this.admission = new Admission(options.queueLimit);
    // Token batches are timed per padded token: the prior's per-item cost spread over a typical item.
    this.batchTime =
      options.maxTokens === undefined
        ? new BatchTimeModel()
        : new BatchTimeModel({
            perItemMs: DEFAULT_BATCH_TIME_PRIOR.perItemMs / PADDED_TOKENS_PRIOR,
            fixedMs: DEFAULT_BATCH_TIME_PRIOR.fixedMs,
          });
    this.batcher = new DynamicBatcher(
      {
        maxBatch: options.maxBatch,
        maxDelayMs: options.maxDelayMs,
        preferredSizes: options.preferredSizes,
        policy: options.deadlinePolicy,
        maxTokens: options.maxTokens,
        bucketing: options.bucketing,
      },
      this.batchTime,
    );
    this.queueBudgetMs = options.queueBudgetMs;
    this.events = options.events ?? {};
    this.autoscaler =
      options.autoscale === undefined
        ? undefined
        : new PoolAutoscaler(this, options.autoscale, {
            queueBudgetMs: options.queueBudgetMs,
            onDecision: this.events.onScaleDecision,
          });
  }

  /** Starts the workers or connects; throws if the pool cannot serve (abandon() then cleans up). */
  protected abstract open(): Promise<void>;
  /** Releases what a failed open() got. */
  protected abstract abandon(): Promise<void>;
  /** Ends the workers or disconnects, once everything accepted has been answered. */
  protected abstract release(): Promise<void>;
  /** Hands due batches on to workers; called after every change that may make one due. */
  protected abstract pump(): void;
  /** No worker serves or is on its way: a request must wake the pool. */
  protected abstract scaledToZero(): boolean;
  /** Gets at least one worker going after scaledToZero(). */
  protected abstract wake(): void;
  abstract readyWorkers(): number;
  abstract queuedItems(): number;
  abstract coldStartMs(): number;
  /** Steers towards this many workers (already checked to be an integer >= 0). */
  protected abstract setSize(workers: number): void;
  abstract stats(): PoolCounts & { workers: number; busy: number; queued: number };

  /** Items per batch handed on so far; undefined before the first. */
  protected meanBatchSize(): number | undefined {
    return this.batches === 0 ? undefined : this.batchedItems / this.batches;
  }

  /** Items counted against queueLimit: those batching here (a backend may add what it handed on). */
  protected pending(): number {
    return this.batcher.length;
  }

  /** Items in flight for the load meter: batching here plus handed on (a backend may add others' work). */
  protected itemsInFlight(): number {
    return this.batcher.length + this.handedOff;
  }

  /** Resolves once the pool serves; rejects with the backend's LivepipeError otherwise. */
  start(): Promise<void> {
    if (this.state !== 'created') {
      return Promise.reject(
        new LivepipeError(
          'LP_PIPELINE_STATE',
          `${this.constructor.name}.start() called when ${this.state}; create a new pool`,
        ),
      );
    }
    this.state = 'starting';
    this.startup = this.startUp();
    return this.startup;
  }

  private async startUp(): Promise<void> {
    try {
      await this.open();
    } catch (error) {
      this.state = 'failed';
      try {
        await this.abandon();
      } finally {
        // Whatever the clean-up does, nothing queued is left waiting, and the caller sees why start failed.
        this.rejectAll(this.batcher.drain(), 'worker-failed', `the ${this.label} failed to start`);
      }
      throw error;
    }
    this.state = 'running';
    // close() during the start stopped the autoscaler already; starting it now would leave its timer running.
    if (this.closing !== undefined) return;
    this.autoscaler?.start();
    this.pump();
  }

  infer(input: InferenceInput, options?: InferOptions): Promise<InferenceResult> {
    if (this.state === 'closing' || this.state === 'closed' || this.state === 'failed') {
      // A failed pool is not a closed one: callers that branch on the reason must be able to tell.
      const reason = this.state === 'failed' ? 'worker-failed' : 'closed';
      this.rejectedBy[reason]++;
      return Promise.reject(
        new PoolRejection(reason, `the ${this.label} is ${this.state}; request ${input.id} not accepted`),
      );
    }
    if (this.admission.isFull(this.pending())) {
      this.rejectedBy['queue-full']++;
      return Promise.reject(
        new PoolRejection(
          'queue-full',
          `the ${this.label} is full (queueLimit ${this.admission.queueLimit}); request ${input.id} shed`,
        ),
      );
    }
    const now = performance.now();
    const queueBudget = this.queueBudgetMs;
    const deadline = options?.deadlineMs;
    return new Promise<InferenceResult>((resolve, reject) => {
      this.load.arrive(now);
      this.batcher.push({
        id: input.id,
        text: input.text,
        enqueuedAt: now,
        startBy: queueBudget === undefined ? Infinity : now + queueBudget,
        finishBy: deadline === undefined ? Infinity : now + (deadline - Date.now()),
        conflationKey: options?.conflationKey,
        tokens:
          this.tokenScale === 1
            ? estimateTokens(input.text)
            : Math.max(1, Math.round(estimateTokens(input.text) * this.tokenScale)),
        resolve,
        reject,
      });
      if (this.state === 'running' && this.scaledToZero()) this.activate(now);
      this.pump();
    });
  }

  /** Wakes a pool at zero for a request that waits meanwhile: the autoscaler decides now, not at its next tick. */
  private activate(now: number): void {
    this.activations++;
    this.autoscaler?.decideNow(now);
    if (this.scaledToZero()) this.wake();
  }

  /**
   * Backpressure for sources: undefined while the pool is below its high-water mark (¾ of
   * queueLimit), else a promise that resolves once it has drained to half.
   */
  whenCapacity(): Promise<void> | undefined {
    return this.admission.whenCapacity(this.pending(), this.state === 'running');
  }

  /** Sets the number of workers wanted (the autoscaler's decision, or by hand). */
  resize(workers: number): void {
    if (!Number.isInteger(workers) || workers < 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `${this.constructor.name}.resize() takes an integer >= 0, got ${String(workers)}`,
      );
    }
    this.setSize(workers);
  }

  /** ms per item on one worker at full batches; undefined before the first batch. */
  perItemMs(): number | undefined {
    if (this.batchTime.count === 0) return undefined;
    const items = this.batcher.fullBatchItems();
    return this.batcher.predictItems(items) / items;
  }

  /** Time-averaged items in flight and arrivals since the previous call (for the autoscaler). */
  takeLoadSample(now: number): LoadSample {
    return this.load.take(now);
  }

  /** Stops accepting requests, answers everything queued and in flight, then closes the backend. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.autoscaler?.stop();
    if (this.state === 'starting') await this.startup?.catch(() => undefined);
    if (this.state === 'created' || this.state === 'failed') {
      this.rejectAll(this.batcher.drain(), 'closed', `the ${this.label} was closed before it started`);
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    // A pool scaled to zero still answers what it holds.
    if (this.batcher.length + this.handedOff > 0 && this.scaledToZero()) this.wake();
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      this.pump();
      this.checkDrained();
    });
    this.wakeTimer.cancel();
    await this.release();
    this.state = 'closed';
  }

  /**
   * Takes the next batch out of the batcher. The load meter is brought up to now first: until this
   * moment the items were waiting here and count as in flight (taking them first would drop their wait).
   */
  protected takeBatch(now: number): PendingItem[] {
    this.load.accrue(now);
    return this.batcher.take(now);
  }

  /** Counts a batch the backend hands on to a worker. */
  protected handOff(items: readonly PendingItem[], now: number): void {
    this.load.accrue(now);
    this.batches++;
    this.batchedItems += items.length;
    this.handedOff += items.length;
  }

  /**
   * Answers a handed-on batch with its results, in order. startedAt: when a worker started it (the
   * end of its queue time); batchMs: how long it held the worker, for the batch-time model; counted:
   * its tokens as the worker's tokenizer counted them, when it has one.
   */
  protected answer(
    items: readonly PendingItem[],
    results: readonly ClassificationResult[],
    startedAt: number,
    inferMs: number,
    batchMs: number,
    counted?: BatchTokenCounts,
  ): void {
    const now = performance.now();
    this.load.accrue(now);
    const batchSize = items.length;
    this.handedOff -= batchSize;
    // Estimated work, as the batcher predicts with it: a systematic estimate error is fitted away.
    this.batchTime.observe(this.batcher.workOf(items), batchMs);
    this.countTokens(items, counted);
    let late = 0;
    for (let i = 0; i < batchSize; i++) {
      const item = items[i] as PendingItem;
      const result = results[i] as InferenceResult;
      result.id = item.id;
      result.batchSize = batchSize;
      result.queueMs = Math.max(0, startedAt - item.enqueuedAt);
      result.inferMs = inferMs;
      result.late = now > item.finishBy || startedAt > item.startBy;
      if (result.late) late++;
      item.resolve(result);
    }
    this.completed += batchSize;
    if (late > 0) {
      this.deadline.late += late;
      this.events.onDeadlineOutcome?.('late', late);
    }
    this.checkDrained();
  }

  private countTokens(items: readonly PendingItem[], counted: BatchTokenCounts | undefined): void {
    let real = 0;
    let padded: number;
    if (counted !== undefined && counted.tokenCounts.length === items.length) {
      let estimated = 0;
      for (let i = 0; i < items.length; i++) {
        real += counted.tokenCounts[i] as number;
        estimated += (items[i] as PendingItem).tokens;
      }
      padded = items.length * counted.sequenceLength;
      // Corrects the estimate's bias for this model's tokenizer (e.g. bge-small-zh splits English
      // finer than WordPiece for English): a running ratio, each batch weighed by TOKEN_SCALE_ALPHA.
      if (estimated > 0) {
        const scale = this.tokenScale * (1 + TOKEN_SCALE_ALPHA * (real / estimated - 1));
        this.tokenScale = Math.min(MAX_TOKEN_SCALE, Math.max(1 / MAX_TOKEN_SCALE, scale));
      }
    } else {
      let longest = 0;
      for (const item of items) {
        real += item.tokens;
        if (item.tokens > longest) longest = item.tokens;
      }
      padded = items.length * longest;
    }
    this.realTokens += real;
    this.paddedTokens += padded;
    this.events.onBatchTokens?.(real, padded);
  }

  /** Rejects a handed-on batch that will not be answered (its worker died, its job failed). */
  protected failHandedOff(items: readonly PendingItem[], message: string): void {
    this.load.accrue(performance.now());
    this.handedOff -= items.length;
    this.rejectAll(items, 'worker-failed', message);
    this.checkDrained();
  }

  /** Rejects everything batching here: nothing is left to answer it. */
  protected failQueued(message: string): void {
    this.load.accrue(performance.now());
    this.rejectAll(this.batcher.drain(), 'worker-failed', message);
    this.checkDrained();
  }

  /**
   * Applies the deadline policy to what is batching here, given how long until a worker can take
   * the next batch (waitMs): shed or conflated items are rejected, counted and reported.
   */
  protected applyDeadlinePolicy(now: number, waitMs: number): void {
    if (this.batcher.policy === 'deliver-late') return;
    this.load.accrue(now);
    const { shed, conflated } = this.batcher.triage(now, waitMs, Math.max(1, this.readyWorkers()));
    if (shed.length > 0) {
      this.deadline.shed += shed.length;
      this.rejectAll(shed, 'deadline', 'predicted to miss its deadline (policy shed)');
      this.events.onDeadlineOutcome?.('shed', shed.length);
    }
    if (conflated.length > 0) {
      this.deadline.conflated += conflated.length;
      this.rejectAll(conflated, 'conflated', 'superseded by a newer item with the same key (policy conflate)');
      this.events.onDeadlineOutcome?.('conflated', conflated.length);
    }
  }

  /** Releases waiting sources, and finishes close() once nothing is batching or handed on. */
  protected checkDrained(): void {
    this.admission.release(this.pending(), this.state === 'running');
    if (this.drained === undefined || this.batcher.length > 0 || this.handedOff > 0) return;
    const drained = this.drained;
    this.drained = undefined;
    drained();
  }

  protected counts(): PoolCounts {
    let rejected = 0;
    for (const count of Object.values(this.rejectedBy)) rejected += count;
    return {
      completed: this.completed,
      rejected,
      rejectedBy: { ...this.rejectedBy },
      batches: this.batches,
      meanBatchSize: this.meanBatchSize() ?? 0,
      deadline: { ...this.deadline },
      activations: this.activations,
      batchTime: {
        perItemMs: this.batchTime.perItemMs,
        fixedMs: this.batchTime.fixedMs,
        batches: this.batchTime.count,
      },
      batchTimeUnit: this.batcher.tokenAware ? 'token' : 'item',
      tokens: { real: this.realTokens, padded: this.paddedTokens },
      lastDecision: this.autoscaler?.lastDecision,
    };
  }

  private rejectAll(items: readonly PendingItem[], reason: PoolRejectionReason, message: string): void {
    for (const item of items) {
      this.rejectedBy[reason]++;
      item.reject(new PoolRejection(reason, `${message}; request ${item.id} not answered`));
    }
  }
}
