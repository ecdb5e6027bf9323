// One worker thread of the local pool: spawns it, follows its state (loading, serving, parked,
// stopping) and the one batch it runs, and stops it without cutting a model load short. What a
// ready, finished or dead worker means for the pool is the pool's to decide (WorkerSlotHooks).
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LivepipeError } from '../../errors.js';
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';
import type { BatchTokenCounts, PendingItem } from '../pool/batching-pool.js';
import type { InferenceWorkerData, PoolToWorker, WorkerToPool } from './worker-protocol.js';

export type SlotState = 'starting' | 'ready' | 'parked' | 'stopping';

export interface InFlightBatch {
  id: number;
  items: PendingItem[];
  dispatchedAt: number;
}

export interface WorkerSlotHooks {
  /** The worker loaded its model (spawn → ready in ms) and is now 'ready'. */
  onReady(slot: WorkerSlot, coldStartMs: number): void;
  /** counted: the batch's tokens when the model has a tokenizer. */
  onBatchDone(
    slot: WorkerSlot,
    batchId: number,
    results: ClassificationResult[],
    inferMs: number,
    counted: BatchTokenCounts | undefined,
  ): void;
  onBatchFailed(slot: WorkerSlot, message: string): void;
  /** The thread ended, in whatever state it was (`was`); `why` says how, for the items it held. */
  onExit(slot: WorkerSlot, was: SlotState, why: string): void;
}

/** The module the worker threads run unless told otherwise. */
export const INFERENCE_WORKER = new URL(
  import.meta.url.endsWith('.ts') ? './inference-worker.ts' : './inference-worker.js',
  import.meta.url,
);
// Node 20 worker threads cannot load .ts: a TypeScript entry (vitest, tsx) starts through a bootstrap.
const TS_BOOTSTRAP = new URL('./ts-worker-bootstrap.mjs', import.meta.url);

const CLOSE_GRACE_MS = 2000;
/** A worker still loading when asked to stop gets this long to finish: terminating inside a session load can abort the process. */
const LOAD_GRACE_MS = CLOSE_GRACE_MS * 5;

export class WorkerSlot {
  readonly spawnedAt = performance.now();
  state: SlotState = 'starting';
  /** Scaled down while busy or loading: retired once the batch is done or the model loaded. */
  retiring = false;
  batch: InFlightBatch | undefined;
  parkedAt = 0;
  /** Resolves once the model is loaded; rejects with why the worker could not load it. */
  readonly loaded: Promise<void>;
  private readonly worker: Worker;
  private readonly hooks: WorkerSlotHooks;
  private parkTimer: NodeJS.Timeout | undefined;
  private startError: LivepipeError | undefined;
  private crashError: Error | undefined;
  private closed: (() => void) | undefined;
  /** Resolves once the worker is ready or gone. */
  private readonly settled: Promise<void>;

  constructor(entry: URL, manifestPath: string, hooks: WorkerSlotHooks) {
    this.hooks = hooks;
    const fromSource = entry.pathname.endsWith('.ts');
    const workerData: InferenceWorkerData = { manifestPath, ...(fromSource ? { entry: entry.href } : {}) };
    this.worker = new Worker(fromSource ? TS_BOOTSTRAP : entry, { workerData });
    let settle!: () => void;
    this.settled = new Promise<void>((resolve) => (settle = resolve));
    let loadedOk!: () => void;
    let loadFailed!: (error: LivepipeError) => void;
    this.loaded = new Promise<void>((resolve, reject) => {
      loadedOk = resolve;
      loadFailed = reject;
    });
    this.worker.on('message', (message: WorkerToPool) => {
      switch (message.type) {
        case 'ready': {
          settle();
          if (this.state !== 'starting') return;
          this.state = 'ready';
          loadedOk();
          this.hooks.onReady(this, performance.now() - this.spawnedAt);
          return;
        }
        case 'start-failed':
          this.startError = new LivepipeError(message.code ?? 'LP_WORKER_FAILED', message.message);
          return;
        case 'batch-done':
          this.hooks.onBatchDone(this, message.batchId, message.results, message.inferMs, message.tokens);
          return;
        case 'batch-failed':
          this.hooks.onBatchFailed(this, `inference failed in a worker: ${message.message}`);
          return;
        case 'closed':
          this.closed?.();
          return;
      }
    });
    this.worker.on('error', (error) => {
      this.crashError = error;
    });
    this.worker.on('exit', (code) => {
      settle();
      this.clearParkTimer();
      // A worker that dies while asked to close never answers 'closed': end stop()'s grace wait now.
      this.closed?.();
      const was = this.state;
      this.state = 'stopping';
      const crash = this.crashError;
      if (was === 'starting') {
        loadFailed(
          this.startError ??
            new LivepipeError(
              'LP_WORKER_FAILED',
              `inference worker exited (code ${code}) before loading ${manifestPath}: ${crash?.message ?? 'no error reported'}`,
              { cause: crash },
            ),
        );
      }
      this.hooks.onExit(this, was, `inference worker exited (code ${code})${crash ? `: ${crash.message}` : ''}`);
    });
  }

  /** Serving or loading, and not retiring: counts towards the pool's size. */
  get active(): boolean {
    return (this.state === 'ready' || this.state === 'starting') && !this.retiring;
  }

  /** Ready for batches and not retiring. */
  get serving(): boolean {
    return this.state === 'ready' && !this.retiring;
  }

  run(batch: InFlightBatch): void {
    this.batch = batch;
    const texts = new Array<string>(batch.items.length);
    for (let i = 0; i < batch.items.length; i++) texts[i] = (batch.items[i] as PendingItem).text;
    this.worker.postMessage({ type: 'batch', batchId: batch.id, texts } satisfies PoolToWorker);
  }

  /** Takes back the batch it held (the one with this id, if given): it was answered or will not be. */
  takeBatch(batchId?: number): InFlightBatch | undefined {
    const batch = this.batch;
    if (batch === undefined || (batchId !== undefined && batch.id !== batchId)) return undefined;
    this.batch = undefined;
    return batch;
  }

  /** Keeps the worker, its session loaded and taking no batches, until unpark() or for parkMs, then stops it. */
  park(parkMs: number): void {
    this.state = 'parked';
    this.parkedAt = performance.now();
    this.parkTimer = setTimeout(() => {
      this.parkTimer = undefined;
      if (this.state === 'parked') void this.stop();
    }, parkMs);
    this.parkTimer.unref();
  }

  unpark(): void {
    this.clearParkTimer();
    this.state = 'ready';
  }

  /** Lets a loading worker finish its load, asks a loaded one to release its session, then ends the thread. */
  async stop(): Promise<void> {
    this.clearParkTimer();
    if (this.state === 'starting') {
      await Promise.race([this.settled, new Promise<void>((resolve) => setTimeout(resolve, LOAD_GRACE_MS).unref())]);
    }
    const wasLoaded = this.state === 'ready' || this.state === 'parked';
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    if (wasLoaded) {
      // Terminate if the worker does not answer within the grace period.
      await new Promise<void>((resolve) => {
        const grace = setTimeout(resolve, CLOSE_GRACE_MS);
        this.closed = () => {
          clearTimeout(grace);
          resolve();
        };
        this.worker.postMessage({ type: 'close' } satisfies PoolToWorker);
      });
    }
    await this.worker.terminate();
  }

  /** Ends the thread at once, whatever it holds (the pool failed to start: nothing is left to save). */
  async kill(): Promise<void> {
    await this.worker.terminate();
  }

  private clearParkTimer(): void {
    if (this.parkTimer !== undefined) clearTimeout(this.parkTimer);
    this.parkTimer = undefined;
  }
}
