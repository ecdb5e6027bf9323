// Inference in worker_threads: one ONNX session per worker, a deadline-aware dynamic batcher on the
// main thread that hands a batch to a worker only when it is idle (at most one batch in flight per
// worker), a bounded queue that rejects fast when full, replacement of workers that die, and a size
// that can change at run time (resize, autoscaler, scale to zero with activation). Nothing is dropped silently.
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LivepipeError } from '../../errors.js';
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';
import {
  PoolAutoscaler,
  type AutoscaleOptions,
  type LoadSample,
  type ScalableTarget,
} from '../autoscale/autoscaler.js';
import { BatchTimeModel } from '../autoscale/batch-time-model.js';
import { DynamicBatcher, type BatchItem, type DeadlinePolicy } from '../batching/dynamic-batcher.js';
import type { ScaleDecision } from '../autoscale/kpa.js';
import type {
  DeadlineOutcome,
  InferenceInput,
  InferenceResult,
  InferOptions,
  ModelPool,
  PoolEvents,
} from '../pool/model-pool.js';
import { Admission } from '../pool/admission.js';
import { LoadMeter } from '../pool/load-meter.js';
import { PoolRejection, type PoolRejectionReason } from '../pool/pool-rejection.js';
import { WakeTimer } from '../pool/wake-timer.js';
import type { InferenceWorkerData, PoolToWorker, WorkerToPool } from './worker-protocol.js';

export interface PoolOptions {
  manifestPath: string;
  /** Fixed pool size; with autoscale, the initial size (clamped to [max(1, min), max]). */
  workers: number;
  maxBatch: number;
  maxDelayMs: number;
  queueLimit: number;
  /** Flush as soon as one of these sizes is queued (Triton's preferred batch sizes). */
  preferredSizes?: readonly number[];
  /** What happens to an item predicted to miss its deadline; default deliver-late. */
  deadlinePolicy?: DeadlinePolicy;
  /** Queue stage budget: an item must reach a worker within it (and the autoscaler predicts against it). */
  queueBudgetMs?: number;
  /** Grow and shrink with the load; omitted: fixed at `workers`. */
  autoscale?: AutoscaleOptions;
  /** A retired worker stays parked this long with its session loaded, for reuse; 0 ends it at once. Default 30 s. */
  parkMs?: number;
  /** At most this many parked workers; default 1. */
  maxParked?: number;
  events?: PoolEvents;
}

export interface PoolStats {
  /** Workers able to take batches. */
  workers: number;
  busy: number;
  /** Workers loading their model. */
  starting: number;
  /** Idle workers kept with their session loaded, taking no batches. */
  parked: number;
  /** The size the pool is heading for (resize / autoscaler). */
  desiredWorkers: number;
  queued: number;
  completed: number;
  rejected: number;
  rejectedBy: Record<PoolRejectionReason, number>;
  batches: number;
  meanBatchSize: number;
  /** Workers started to replace one that died. */
  restarts: number;
  /** Items handled by the deadline policy (late: answered after their deadline). */
  deadline: Record<DeadlineOutcome, number>;
  /** Workers spawned and loaded (cold starts), their mean and last time in ms. */
  coldStarts: number;
  meanColdStartMs: number;
  lastColdStartMs: number;
  /** Parked workers taken back into service instead of a cold start. */
  reused: number;
  /** Requests that found the pool at zero workers and woke it. */
  activations: number;
  /** The learned batch time t(n) ≈ perItemMs·n + fixedMs. */
  batchTime: { perItemMs: number; fixedMs: number; batches: number };
  lastDecision: ScaleDecision | undefined;
}

interface PendingItem extends BatchItem {
  input: InferenceInput;
  resolve(result: InferenceResult): void;
  reject(error: PoolRejection): void;
}

interface InFlightBatch {
  id: number;
  items: PendingItem[];
  dispatchedAt: number;
}

type SlotState = 'starting' | 'ready' | 'parked' | 'stopping';

interface WorkerSlot {
  worker: Worker;
  state: SlotState;
  /** Scaled down while busy or starting: park once the batch is done or the model loaded. */
  retiring: boolean;
  batch: InFlightBatch | undefined;
  spawnedAt: number;
  parkedAt: number;
  parkTimer: NodeJS.Timeout | undefined;
  startError: LivepipeError | undefined;
  crashError: Error | undefined;
  closed: (() => void) | undefined;
  /** Resolves once the worker is ready or gone (stopping waits for it rather than killing a model load). */
  settled: Promise<void>;
}

type PoolState = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed';

// Running from source (vitest, tsx) the worker needs a bootstrap that registers tsx; compiled JS does not.
const fromSource = import.meta.url.endsWith('.ts');
const workerScript = new URL(fromSource ? './ts-worker-bootstrap.mjs' : './inference-worker.js', import.meta.url);
const workerEntry = fromSource ? new URL('./inference-worker.ts', import.meta.url).href : undefined;

const CLOSE_GRACE_MS = 2000;
const MAX_WORKERS = 64;
/** Assumed cold start before one was measured (ms): a worker_thread plus an ONNX session load. */
const COLD_START_PRIOR_MS = 500;

export class InferencePool implements ModelPool, ScalableTarget {
  private readonly options: PoolOptions;
  private readonly manifestPath: string;
  private readonly batchTime = new BatchTimeModel();
  private readonly batcher: DynamicBatcher<PendingItem>;
  private readonly slots: WorkerSlot[] = [];
  private readonly parkMs: number;
  private readonly maxParked: number;
  private readonly events: PoolEvents;
  private readonly autoscaler: PoolAutoscaler | undefined;
  private state: PoolState = 'created';
  private target: number;
  private readonly wakeTimer = new WakeTimer(() => this.pump());
  private nextBatchId = 1;
  private completed = 0;
  private batches = 0;
  private dispatchedItems = 0;
  private restarts = 0;
  private coldStarts = 0;
  private coldStartTotalMs = 0;
  private lastColdStartMs = 0;
  private reused = 0;
  private activations = 0;
  private readonly rejectedBy: Record<PoolRejectionReason, number> = {
    'queue-full': 0,
    'worker-failed': 0,
    closed: 0,
    deadline: 0,
    conflated: 0,
  };
  private readonly deadline: Record<DeadlineOutcome, number> = { late: 0, shed: 0, conflated: 0 };
  /** Items inside batches at workers (for the in-flight concurrency the autoscaler sees). */
  private runningItems = 0;
  private readonly load = new LoadMeter(() => this.batcher.length + this.runningItems);
  private readonly admission: Admission;
  private drained: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private startup: Promise<void> | undefined;

  constructor(options: PoolOptions) {
    const positiveInteger = (name: 'workers' | 'maxBatch', min: number) => {
      const value = options[name];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        throw new LivepipeError(
          'LP_CONFIG_INVALID',
          `InferencePool option ${name} must be an integer >= ${min}, got ${String(value)}`,
        );
      }
    };
    positiveInteger('workers', 1);
    positiveInteger('maxBatch', 1);
    if (typeof options.maxDelayMs !== 'number' || !(options.maxDelayMs >= 0)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `InferencePool option maxDelayMs must be a number >= 0, got ${String(options.maxDelayMs)}`,
      );
    }
    if (typeof options.manifestPath !== 'string' || options.manifestPath === '') {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        'InferencePool option manifestPath must name a model manifest (e.g. models/chat-sentiment.yaml)',
      );
    }
    if (options.queueBudgetMs !== undefined && !(options.queueBudgetMs > 0)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `InferencePool option queueBudgetMs must be > 0 ms, got ${String(options.queueBudgetMs)}`,
      );
    }
    this.admission = new Admission(options.queueLimit);
    this.options = { ...options };
    this.manifestPath = resolvePath(options.manifestPath);
    this.batcher = new DynamicBatcher(
      {
        maxBatch: options.maxBatch,
        maxDelayMs: options.maxDelayMs,
        preferredSizes: options.preferredSizes,
        policy: options.deadlinePolicy,
      },
      this.batchTime,
    );
    this.parkMs = options.parkMs ?? 30_000;
    this.maxParked = options.maxParked ?? 1;
    this.events = options.events ?? {};
    if (options.autoscale !== undefined) {
      this.autoscaler = new PoolAutoscaler(this, options.autoscale, {
        queueBudgetMs: options.queueBudgetMs,
        onDecision: this.events.onScaleDecision,
      });
      this.target = Math.min(options.autoscale.max, Math.max(1, options.autoscale.min, options.workers));
    } else {
      this.target = Math.min(MAX_WORKERS, options.workers);
    }
  }

  /**
   * Backpressure for sources: undefined while the queue is below its high-water mark (¾ of
   * queueLimit), else a promise that resolves once it has drained to half. Sources that wait on it
   * pause instead of running into queue-full.
   */
  whenCapacity(): Promise<void> | undefined {
    return this.admission.whenCapacity(this.batcher.length, this.state === 'running');
  }

  /** Resolves when the initial workers have loaded their session; rejects with the worker's LivepipeError otherwise. */
  start(): Promise<void> {
    if (this.state !== 'created') {
      return Promise.reject(
        new LivepipeError('LP_PIPELINE_STATE', `InferencePool.start() called when ${this.state}; create a new pool`),
      );
    }
    this.state = 'starting';
    this.startup = this.startWorkers();
    return this.startup;
  }

  private async startWorkers(): Promise<void> {
    const started = await Promise.allSettled(Array.from({ length: this.target }, () => this.spawn()));
    const failure = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure !== undefined) {
      this.state = 'failed';
      await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
      this.rejectAll(this.batcher.drain(), 'worker-failed', 'the inference pool failed to start');
      throw failure.reason;
    }
    if (this.state === 'starting') this.state = 'running';
    this.autoscaler?.start();
    this.pump();
  }

  infer(input: InferenceInput, options?: InferOptions): Promise<InferenceResult> {
    if (this.state === 'closing' || this.state === 'closed' || this.state === 'failed') {
      this.rejectedBy.closed++;
      return Promise.reject(
        new PoolRejection('closed', `inference pool is ${this.state}; request ${input.id} not accepted`),
      );
    }
    if (this.admission.isFull(this.batcher.length)) {
      this.rejectedBy['queue-full']++;
      return Promise.reject(
        new PoolRejection(
          'queue-full',
          `inference queue is full (queueLimit ${this.options.queueLimit}); request ${input.id} shed`,
        ),
      );
    }
    const now = performance.now();
    const queueBudget = this.options.queueBudgetMs;
    const deadline = options?.deadlineMs;
    return new Promise<InferenceResult>((resolve, reject) => {
      this.load.arrive(now);
      this.batcher.push({
        enqueuedAt: now,
        startBy: queueBudget === undefined ? Infinity : now + queueBudget,
        finishBy: deadline === undefined ? Infinity : now + (deadline - Date.now()),
        conflationKey: options?.conflationKey,
        input,
        resolve,
        reject,
      });
      if (this.state === 'running' && this.activeCount() === 0) this.activate();
      this.pump();
    });
  }

  /** Wakes a pool at zero for a request that waits meanwhile (counted as an activation and, unless a parked worker is reused, a cold start). */
  private activate(): void {
    this.activations++;
    if (this.autoscaler !== undefined) this.autoscaler.decideNow(performance.now());
    if (this.activeCount() === 0) this.resize(Math.max(1, this.target));
  }

  /**
   * Sets the number of serving workers. Growing takes back parked workers first (their session is
   * loaded), then spawns; shrinking parks idle workers (or ends them past maxParked / with parkMs 0)
   * and lets busy ones finish their batch first.
   */
  resize(workers: number): void {
    if (!Number.isInteger(workers) || workers < 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `InferencePool.resize() takes an integer >= 0, got ${String(workers)}`,
      );
    }
    this.target = Math.min(MAX_WORKERS, workers);
    this.reconcile();
  }

  private reconcile(): void {
    if (this.state !== 'running' && this.state !== 'closing') return;
    let active = this.activeCount();
    // Scaling back up first cancels pending retirements: those workers never left.
    for (const slot of this.slots) {
      if (active >= this.target) break;
      if (slot.retiring && (slot.state === 'ready' || slot.state === 'starting')) {
        slot.retiring = false;
        active++;
      }
    }
    while (active < this.target) {
      const parked = this.newestParked();
      if (parked !== undefined) {
        if (parked.parkTimer !== undefined) clearTimeout(parked.parkTimer);
        parked.parkTimer = undefined;
        parked.state = 'ready';
        this.reused++;
      } else {
        this.spawn().catch(() => undefined);
      }
      active++;
    }
    if (active > this.target) {
      // Idle ready workers go first, then busy ones (after their batch), then ones still loading.
      const order: Array<(slot: WorkerSlot) => boolean> = [
        (slot) => slot.state === 'ready' && slot.batch === undefined,
        (slot) => slot.state === 'ready',
        (slot) => slot.state === 'starting',
      ];
      for (const matches of order) {
        for (let i = this.slots.length - 1; i >= 0 && active > this.target; i--) {
          const slot = this.slots[i] as WorkerSlot;
          if (slot.retiring || !matches(slot)) continue;
          slot.retiring = true;
          active--;
          if (slot.state === 'ready' && slot.batch === undefined) this.retire(slot);
        }
      }
    }
    this.pump();
  }

  /** Takes a worker out of service: parked for reuse, or ended. */
  private retire(slot: WorkerSlot): void {
    slot.retiring = false;
    if (this.state === 'running' && this.parkMs > 0 && this.parkedCount() < this.maxParked) {
      slot.state = 'parked';
      slot.parkedAt = performance.now();
      slot.parkTimer = setTimeout(() => {
        slot.parkTimer = undefined;
        if (slot.state === 'parked') void this.stopWorker(slot);
      }, this.parkMs);
      slot.parkTimer.unref();
      return;
    }
    void this.stopWorker(slot);
  }

  private newestParked(): WorkerSlot | undefined {
    let newest: WorkerSlot | undefined;
    for (const slot of this.slots)
      if (slot.state === 'parked' && (newest === undefined || slot.parkedAt > newest.parkedAt)) newest = slot;
    return newest;
  }

  private parkedCount(): number {
    let count = 0;
    for (const slot of this.slots) if (slot.state === 'parked') count++;
    return count;
  }

  /** Workers serving or about to (loading), not retiring. */
  private activeCount(): number {
    let count = 0;
    for (const slot of this.slots) if ((slot.state === 'ready' || slot.state === 'starting') && !slot.retiring) count++;
    return count;
  }

  readyWorkers(): number {
    let count = 0;
    for (const slot of this.slots) if (slot.state === 'ready' && !slot.retiring) count++;
    return count;
  }

  queuedItems(): number {
    return this.batcher.length;
  }

  perItemMs(): number | undefined {
    if (this.batchTime.count === 0) return undefined;
    return this.batchTime.predict(this.options.maxBatch) / this.options.maxBatch;
  }

  coldStartMs(): number {
    return this.coldStarts === 0 ? COLD_START_PRIOR_MS : this.coldStartTotalMs / this.coldStarts;
  }

  /** Time-averaged items in flight and arrivals since the previous call (for the autoscaler). */
  takeLoadSample(now: number): LoadSample {
    return this.load.take(now);
  }

  stats(): PoolStats {
    let workers = 0;
    let busy = 0;
    let starting = 0;
    let parked = 0;
    for (const slot of this.slots) {
      if (slot.state === 'ready') workers++;
      if (slot.state === 'starting') starting++;
      if (slot.state === 'parked') parked++;
      if (slot.batch !== undefined) busy++;
    }
    let rejected = 0;
    for (const count of Object.values(this.rejectedBy)) rejected += count;
    return {
      workers,
      busy,
      starting,
      parked,
      desiredWorkers: this.target,
      queued: this.batcher.length,
      completed: this.completed,
      rejected,
      rejectedBy: { ...this.rejectedBy },
      batches: this.batches,
      meanBatchSize: this.batches === 0 ? 0 : this.dispatchedItems / this.batches,
      restarts: this.restarts,
      deadline: { ...this.deadline },
      coldStarts: this.coldStarts,
      meanColdStartMs: this.coldStarts === 0 ? 0 : this.coldStartTotalMs / this.coldStarts,
      lastColdStartMs: this.lastColdStartMs,
      reused: this.reused,
      activations: this.activations,
      batchTime: {
        perItemMs: this.batchTime.perItemMs,
        fixedMs: this.batchTime.fixedMs,
        batches: this.batchTime.count,
      },
      lastDecision: this.autoscaler?.lastDecision,
    };
  }

  /** Stops accepting requests, answers everything queued and in flight, then ends the workers. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.autoscaler?.stop();
    if (this.state === 'created' || this.state === 'failed') {
      this.rejectAll(this.batcher.drain(), 'closed', 'the inference pool was closed before it started');
      this.state = 'closed';
      return;
    }
    if (this.state === 'starting') {
      await this.startup?.catch(() => undefined);
      if ((this.state as PoolState) === 'failed') {
        this.state = 'closed';
        return;
      }
    }
    this.state = 'closing';
    // A pool scaled to zero still answers what is queued.
    if (this.batcher.length > 0 && this.activeCount() === 0) this.resize(1);
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      this.pump();
      this.checkDrained();
    });
    this.wakeTimer.cancel();
    await Promise.all(this.slots.map((slot) => this.stopWorker(slot)));
    this.state = 'closed';
  }

  private async stopWorker(slot: WorkerSlot): Promise<void> {
    if (slot.parkTimer !== undefined) clearTimeout(slot.parkTimer);
    slot.parkTimer = undefined;
    if (slot.state === 'starting') {
      // Terminating a thread inside the ONNX session load can abort the process; let the load finish.
      await Promise.race([
        slot.settled,
        new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS * 5).unref()),
      ]);
    }
    const wasLoaded = slot.state === 'ready' || slot.state === 'parked';
    if (slot.state === 'stopping') return;
    slot.state = 'stopping';
    if (wasLoaded) {
      // Let the worker release its session before the thread goes; terminate if it does not answer.
      await new Promise<void>((resolve) => {
        const grace = setTimeout(resolve, CLOSE_GRACE_MS);
        slot.closed = () => {
          clearTimeout(grace);
          resolve();
        };
        slot.worker.postMessage({ type: 'close' } satisfies PoolToWorker);
      });
    }
    await slot.worker.terminate();
  }

  private spawn(): Promise<void> {
    const workerData: InferenceWorkerData = {
      manifestPath: this.manifestPath,
      ...(workerEntry === undefined ? {} : { entry: workerEntry }),
    };
    const worker = new Worker(workerScript, { workerData });
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const slot: WorkerSlot = {
      worker,
      state: 'starting',
      retiring: false,
      batch: undefined,
      spawnedAt: performance.now(),
      parkedAt: 0,
      parkTimer: undefined,
      startError: undefined,
      crashError: undefined,
      closed: undefined,
      settled,
    };
    this.slots.push(slot);

    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerToPool) => {
        switch (message.type) {
          case 'ready': {
            settle();
            if (slot.state !== 'starting') return;
            if (this.state === 'closed') {
              void this.stopWorker(slot);
              return;
            }
            const ms = performance.now() - slot.spawnedAt;
            this.coldStarts++;
            this.coldStartTotalMs += ms;
            this.lastColdStartMs = ms;
            this.events.onColdStart?.(ms);
            slot.state = 'ready';
            resolve();
            if (slot.retiring) this.retire(slot);
            this.pump();
            return;
          }
          case 'start-failed':
            slot.startError = new LivepipeError(message.code ?? 'LP_WORKER_FAILED', message.message);
            return;
          case 'batch-done':
            this.finishBatch(slot, message.batchId, message.results, message.inferMs);
            return;
          case 'batch-failed':
            this.failBatch(slot, `inference failed in a worker: ${message.message}`);
            this.afterBatch(slot);
            return;
          case 'closed':
            slot.closed?.();
            return;
        }
      });
      worker.on('error', (error) => {
        slot.crashError = error;
      });
      worker.on('exit', (code) => {
        settle();
        const index = this.slots.indexOf(slot);
        if (index >= 0) this.slots.splice(index, 1);
        if (slot.parkTimer !== undefined) clearTimeout(slot.parkTimer);
        // A worker that dies while asked to close will never answer 'closed': end stopWorker's grace wait now.
        slot.closed?.();
        if (slot.state === 'stopping') return;
        const wasStarting = slot.state === 'starting';
        const wasParked = slot.state === 'parked';
        slot.state = 'stopping';
        if (wasStarting) {
          reject(
            slot.startError ??
              new LivepipeError(
                'LP_WORKER_FAILED',
                `inference worker exited (code ${code}) before loading ${this.manifestPath}: ${slot.crashError?.message ?? 'no error reported'}`,
                { cause: slot.crashError },
              ),
          );
          if (this.state === 'running' || this.state === 'closing') this.afterReplacementFailed();
          return;
        }
        this.failBatch(
          slot,
          `inference worker exited (code ${code})${slot.crashError ? `: ${slot.crashError.message}` : ''}`,
        );
        if (!wasParked && (this.state === 'running' || this.state === 'closing')) {
          this.restarts++;
          this.reconcile();
        }
      });
    });
  }

  /** A worker could not load the model: if no worker is left, nothing queued can be answered. */
  private afterReplacementFailed(): void {
    if (this.slots.length > 0) return;
    this.load.accrue(performance.now());
    this.rejectAll(this.batcher.drain(), 'worker-failed', 'no inference worker is left (a worker failed to start)');
    if (this.state === 'running') this.state = 'failed';
    this.checkDrained();
  }

  private pump(): void {
    if (this.state !== 'running' && this.state !== 'closing') return;
    while (this.batcher.length > 0) {
      const now = performance.now();
      const slot = this.idleSlot();
      if (slot === undefined) {
        // The predicted wait walks every slot: only worth it when a policy acts on it (not per deliver-late request).
        if (this.batcher.policy !== 'deliver-late') this.applyDeadlinePolicy(now, this.predictedWaitMs(now));
        return; // the next finished batch or ready worker pumps again
      }
      this.applyDeadlinePolicy(now, 0);
      if (this.batcher.length === 0) break;
      // While closing, the queue is flushed without waiting out the delay. msUntilDue is 0 exactly when
      // isDue holds, so one call answers both (this runs on every infer()).
      if (this.state === 'running') {
        const untilDue = this.batcher.msUntilDue(now);
        if (untilDue > 0) {
          this.wakeTimer.arm(untilDue);
          return;
        }
      }
      this.dispatch(slot, this.batcher.take(now));
    }
    this.checkDrained();
  }

  /** How long until some worker can take a batch: the first busy one to finish, else a starting one to load. */
  private predictedWaitMs(now: number): number {
    let wait = Infinity;
    for (const slot of this.slots) {
      if (slot.state === 'ready' && !slot.retiring && slot.batch !== undefined) {
        wait = Math.min(wait, slot.batch.dispatchedAt + this.batchTime.predict(slot.batch.items.length) - now);
      } else if (slot.state === 'starting' && !slot.retiring) {
        wait = Math.min(wait, slot.spawnedAt + this.coldStartMs() - now);
      }
    }
    return Math.max(0, wait === Infinity ? this.coldStartMs() : wait);
  }

  private applyDeadlinePolicy(now: number, waitMs: number): void {
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

  private idleSlot(): WorkerSlot | undefined {
    for (const slot of this.slots)
      if (slot.state === 'ready' && !slot.retiring && slot.batch === undefined) return slot;
    return undefined;
  }

  private dispatch(slot: WorkerSlot, items: PendingItem[]): void {
    const now = performance.now();
    this.load.accrue(now);
    const batch: InFlightBatch = { id: this.nextBatchId++, items, dispatchedAt: now };
    slot.batch = batch;
    this.batches++;
    this.dispatchedItems += items.length;
    this.runningItems += items.length;
    const texts = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) texts[i] = (items[i] as PendingItem).input.text;
    slot.worker.postMessage({ type: 'batch', batchId: batch.id, texts } satisfies PoolToWorker);
  }

  private finishBatch(slot: WorkerSlot, batchId: number, results: ClassificationResult[], inferMs: number): void {
    const batch = slot.batch;
    if (batch === undefined || batch.id !== batchId) return;
    const now = performance.now();
    this.load.accrue(now);
    slot.batch = undefined;
    const batchSize = batch.items.length;
    this.runningItems -= batchSize;
    this.batchTime.observe(batchSize, now - batch.dispatchedAt);
    let late = 0;
    for (let i = 0; i < batchSize; i++) {
      const item = batch.items[i] as PendingItem;
      const result = results[i] as InferenceResult;
      result.id = item.input.id;
      result.batchSize = batchSize;
      result.queueMs = batch.dispatchedAt - item.enqueuedAt;
      result.inferMs = inferMs;
      result.late = now > item.finishBy || batch.dispatchedAt > item.startBy;
      if (result.late) late++;
      item.resolve(result);
    }
    this.completed += batchSize;
    if (late > 0) {
      this.deadline.late += late;
      this.events.onDeadlineOutcome?.('late', late);
    }
    this.afterBatch(slot);
  }

  private afterBatch(slot: WorkerSlot): void {
    if (slot.retiring && slot.state === 'ready') this.retire(slot);
    this.pump();
    this.checkDrained();
  }

  private failBatch(slot: WorkerSlot, message: string): void {
    const batch = slot.batch;
    if (batch === undefined) return;
    this.load.accrue(performance.now());
    slot.batch = undefined;
    this.runningItems -= batch.items.length;
    this.rejectAll(batch.items, 'worker-failed', message);
    this.checkDrained();
  }

  private rejectAll(items: PendingItem[], reason: PoolRejectionReason, message: string): void {
    for (const item of items) {
      this.rejectedBy[reason]++;
      item.reject(new PoolRejection(reason, `${message}; request ${item.input.id} not answered`));
    }
  }

  private checkDrained(): void {
    this.admission.release(this.batcher.length, this.state === 'running');
    if (this.drained === undefined || this.batcher.length > 0) return;
    if (this.slots.some((slot) => slot.batch !== undefined)) return;
    const drained = this.drained;
    this.drained = undefined;
    drained();
  }
}
