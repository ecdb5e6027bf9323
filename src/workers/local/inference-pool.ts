// Inference in worker_threads: one ONNX session per worker, a deadline-aware dynamic batcher on the
// main thread that hands a batch to a worker only when it is idle (at most one batch in flight per
// worker), a bounded queue that rejects fast when full, replacement of workers that die, and a size
// that can change at run time (resize, autoscaler, scale to zero with activation). Nothing is dropped silently.
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LivepipeError } from '../../errors.js';
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';
import { ColdStarts, type ColdStartStats } from '../pool/cold-starts.js';
import { MAX_WORKERS } from '../pool/model-pool.js';
import {
  BatchingPool,
  type BatchingOptions,
  type BatchTokenCounts,
  type PendingItem,
  type PoolCounts,
} from '../pool/batching-pool.js';
import { INFERENCE_WORKER, WorkerSlot, type SlotState, type WorkerSlotHooks } from './worker-slot.js';

/** queueLimit counts the items batching here; those at a worker are at most workers × maxBatch. */
export interface PoolOptions extends BatchingOptions {
  manifestPath: string;
  /** Fixed pool size; with autoscale, the initial size (clamped to [max(1, min), max]). */
  workers: number;
  /** A retired worker stays parked this long with its session loaded, for reuse; 0 ends it at once. Default 30 s. */
  parkMs?: number;
  /** At most this many parked workers; default 1. */
  maxParked?: number;
  /** The module each worker thread runs; default inference-worker. Another must answer worker-protocol. */
  workerModule?: URL;
}

export interface PoolStats extends PoolCounts, ColdStartStats {
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
  /** Workers started to replace one that died. */
  restarts: number;
  /** Parked workers taken back into service instead of a cold start. */
  reused: number;
}

/** Assumed cold start before one was measured (ms): a worker_thread plus an ONNX session load. */
const COLD_START_PRIOR_MS = 500;

export class InferencePool extends BatchingPool {
  private readonly manifestPath: string;
  private readonly workerModule: URL;
  private readonly slotHooks: WorkerSlotHooks = {
    onReady: (slot, ms) => this.onReady(slot, ms),
    onBatchDone: (slot, batchId, results, inferMs, counted) =>
      this.finishBatch(slot, batchId, results, inferMs, counted),
    onBatchFailed: (slot, message) => {
      this.failBatch(slot, message);
      this.afterBatch(slot);
    },
    onExit: (slot, was, why) => this.onExit(slot, was, why),
  };
  private readonly slots: WorkerSlot[] = [];
  private readonly parkMs: number;
  private readonly maxParked: number;
  private target: number;
  private nextBatchId = 1;
  private restarts = 0;
  private readonly coldStarts: ColdStarts;
  private reused = 0;

  constructor(options: PoolOptions) {
    const { workers } = options;
    if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `InferencePool option workers must be an integer from 1 to ${MAX_WORKERS}, got ${String(workers)}`,
      );
    }
    if (typeof options.manifestPath !== 'string' || options.manifestPath === '') {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        'InferencePool option manifestPath must name a model manifest (e.g. models/chat-sentiment.yaml)',
      );
    }
    super('inference pool', options);
    this.manifestPath = resolvePath(options.manifestPath);
    this.workerModule = options.workerModule ?? INFERENCE_WORKER;
    this.parkMs = options.parkMs ?? 30_000;
    this.maxParked = options.maxParked ?? 1;
    this.coldStarts = new ColdStarts(this.events.onColdStart);
    this.target =
      options.autoscale === undefined
        ? options.workers
        : Math.min(options.autoscale.max, Math.max(1, options.autoscale.min, options.workers));
  }

  /** Resolves when the initial workers have loaded their session; rejects with the worker's LivepipeError otherwise. */
  protected async open(): Promise<void> {
    const started = await Promise.allSettled(Array.from({ length: this.target }, () => this.spawn()));
    const failure = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  protected async abandon(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.kill()));
  }

  protected scaledToZero(): boolean {
    return this.activeCount() === 0;
  }

  protected wake(): void {
    this.setSize(Math.max(1, this.target));
  }

  /**
   * Sets the number of serving workers. Growing takes back parked workers first (their session is
   * loaded), then spawns; shrinking parks idle workers (or ends them past maxParked / with parkMs 0)
   * and lets busy ones finish their batch first.
   */
  protected setSize(workers: number): void {
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
        parked.unpark();
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
    if (this.state === 'running' && this.parkMs > 0 && this.parkedCount() < this.maxParked) slot.park(this.parkMs);
    else void slot.stop();
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

  /** Workers serving or loading, not retiring. */
  private activeCount(): number {
    let count = 0;
    for (const slot of this.slots) if (slot.active) count++;
    return count;
  }

  readyWorkers(): number {
    let count = 0;
    for (const slot of this.slots) if (slot.serving) count++;
    return count;
  }

  queuedItems(): number {
    return this.batcher.length;
  }

  coldStartMs(): number {
    return this.coldStarts.meanMs() ?? COLD_START_PRIOR_MS;
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
    return {
      ...this.counts(),
      workers,
      busy,
      starting,
      parked,
      desiredWorkers: this.target,
      queued: this.batcher.length,
      restarts: this.restarts,
      ...this.coldStarts.stats(),
      reused: this.reused,
    };
  }

  protected async release(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.stop()));
  }

  private spawn(): Promise<void> {
    const slot = new WorkerSlot(this.workerModule, this.manifestPath, this.slotHooks);
    this.slots.push(slot);
    return slot.loaded;
  }

  private onReady(slot: WorkerSlot, ms: number): void {
    if (this.state === 'closed') {
      void slot.stop();
      return;
    }
    this.coldStarts.record(ms);
    if (slot.retiring) this.retire(slot);
    this.pump();
  }

  private onExit(slot: WorkerSlot, was: SlotState, why: string): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (was === 'stopping') return;
    const serving = this.state === 'running' || this.state === 'closing';
    if (was === 'starting') {
      if (serving) this.afterReplacementFailed();
      return;
    }
    this.failBatch(slot, why);
    if (was !== 'parked' && serving) {
      this.restarts++;
      this.reconcile();
    }
  }

  /** A worker could not load the model: if no worker is left, nothing queued can be answered. */
  private afterReplacementFailed(): void {
    // Slots that are stopping or parked serve nothing: only an active worker can still answer the queue.
    if (this.activeCount() > 0) return;
    if (this.state === 'running') this.state = 'failed';
    this.failQueued('no inference worker is left (a worker failed to start)');
  }

  protected pump(): void {
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
      this.dispatch(slot, this.takeBatch(now));
    }
    this.checkDrained();
  }

  /** How long until some worker can take a batch: the first busy one to finish, else a starting one to load. */
  private predictedWaitMs(now: number): number {
    let wait = Infinity;
    for (const slot of this.slots) {
      if (slot.serving && slot.batch !== undefined) {
        wait = Math.min(
          wait,
          slot.batch.dispatchedAt + this.batchTime.predict(this.batcher.workOf(slot.batch.items)) - now,
        );
      } else if (slot.state === 'starting' && !slot.retiring) {
        wait = Math.min(wait, slot.spawnedAt + this.coldStartMs() - now);
      }
    }
    return Math.max(0, wait === Infinity ? this.coldStartMs() : wait);
  }

  private idleSlot(): WorkerSlot | undefined {
    for (const slot of this.slots) if (slot.serving && slot.batch === undefined) return slot;
    return undefined;
  }

  private dispatch(slot: WorkerSlot, items: PendingItem[]): void {
    const now = performance.now();
    this.handOff(items, now);
    slot.run({ id: this.nextBatchId++, items, dispatchedAt: now });
  }

  private finishBatch(
    slot: WorkerSlot,
    batchId: number,
    results: ClassificationResult[],
    inferMs: number,
    counted: BatchTokenCounts | undefined,
  ): void {
    const batch = slot.takeBatch(batchId);
    if (batch === undefined) return;
    this.answer(batch.items, results, batch.dispatchedAt, inferMs, performance.now() - batch.dispatchedAt, counted);
    this.afterBatch(slot);
  }

  private afterBatch(slot: WorkerSlot): void {
    if (slot.retiring && slot.state === 'ready') this.retire(slot);
    this.pump();
    this.checkDrained();
  }

  private failBatch(slot: WorkerSlot, message: string): void {
    const batch = slot.takeBatch();
    if (batch !== undefined) this.failHandedOff(batch.items, message);
  }
}
