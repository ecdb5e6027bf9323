// Inference in worker_threads: one ONNX session per worker, a micro-batcher on the main thread that
// hands a batch to a worker only when it is idle (at most one batch in flight per worker), a bounded
// queue that rejects fast when full, and replacement of workers that die. Nothing is dropped silently.
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { LivepipeError } from '../errors.js';
import type { ClassificationResult } from '../inference/postprocessors/postprocessor.js';
import { MicroBatcher } from './micro-batcher.js';
import { PoolRejection, type PoolRejectionReason } from './pool-rejection.js';
import type { InferenceWorkerData, PoolToWorker, WorkerToPool } from './worker-protocol.js';

export interface InferenceInput {
  id: string;
  text: string;
}

export interface InferenceResult extends ClassificationResult {
  id: string;
  batchSize: number;
  /** From infer() to the batch being handed to a worker. */
  queueMs: number;
  /** The batch's featurize + run + postprocess time in the worker. */
  inferMs: number;
}

export interface PoolOptions {
  manifestPath: string;
  workers: number;
  maxBatch: number;
  maxDelayMs: number;
  queueLimit: number;
}

export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
  completed: number;
  rejected: number;
  rejectedBy: Record<PoolRejectionReason, number>;
  batches: number;
  meanBatchSize: number;
  /** Workers started to replace one that died. */
  restarts: number;
}

interface PendingItem {
  enqueuedAt: number;
  input: InferenceInput;
  resolve(result: InferenceResult): void;
  reject(error: PoolRejection): void;
}

interface InFlightBatch {
  id: number;
  items: PendingItem[];
  dispatchedAt: number;
}

interface WorkerSlot {
  worker: Worker;
  ready: boolean;
  /** Set by close(): the exit that follows is expected. */
  stopping: boolean;
  batch: InFlightBatch | undefined;
  startError: LivepipeError | undefined;
  crashError: Error | undefined;
  closed: (() => void) | undefined;
}

type PoolState = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed';

// Running from source (vitest, tsx) the worker needs a bootstrap that registers tsx; compiled JS does not.
const fromSource = import.meta.url.endsWith('.ts');
const workerScript = new URL(fromSource ? './ts-worker-bootstrap.mjs' : './inference-worker.js', import.meta.url);
const workerEntry = fromSource ? new URL('./inference-worker.ts', import.meta.url).href : undefined;

const CLOSE_GRACE_MS = 2000;

export class InferencePool {
  private readonly options: PoolOptions;
  private readonly manifestPath: string;
  private readonly batcher: MicroBatcher<PendingItem>;
  private readonly slots: Array<WorkerSlot | undefined>;
  private state: PoolState = 'created';
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  private nextBatchId = 1;
  private completed = 0;
  private batches = 0;
  private dispatchedItems = 0;
  private restarts = 0;
  private readonly rejectedBy: Record<PoolRejectionReason, number> = { 'queue-full': 0, 'worker-failed': 0, closed: 0 };
  private drained: (() => void) | undefined;
  /** Sources waiting for queue room (backpressure); released below the low-water mark. */
  private capacityWaiters: Array<() => void> = [];
  private readonly highWater: number;
  private readonly lowWater: number;
  private closing: Promise<void> | undefined;
  private startup: Promise<void> | undefined;

  constructor(options: PoolOptions) {
    const positiveInteger = (name: keyof PoolOptions, min: number) => {
      const value = options[name];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        throw new LivepipeError('LP_CONFIG_INVALID', `InferencePool option ${name} must be an integer >= ${min}, got ${String(value)}`);
      }
    };
    positiveInteger('workers', 1);
    positiveInteger('maxBatch', 1);
    positiveInteger('queueLimit', 1);
    if (typeof options.maxDelayMs !== 'number' || !(options.maxDelayMs >= 0)) {
      throw new LivepipeError('LP_CONFIG_INVALID', `InferencePool option maxDelayMs must be a number >= 0, got ${String(options.maxDelayMs)}`);
    }
    if (typeof options.manifestPath !== 'string' || options.manifestPath === '') {
      throw new LivepipeError('LP_CONFIG_INVALID', 'InferencePool option manifestPath must name a model manifest (e.g. models/chat-sentiment.yaml)');
    }
    this.options = { ...options };
    this.manifestPath = resolvePath(options.manifestPath);
    this.batcher = new MicroBatcher(options.maxBatch, options.maxDelayMs);
    this.slots = new Array<WorkerSlot | undefined>(options.workers).fill(undefined);
    this.highWater = Math.max(1, Math.floor(options.queueLimit * 0.75));
    this.lowWater = Math.floor(options.queueLimit * 0.5);
  }

  /**
   * Backpressure for sources: undefined while the queue is below its high-water mark (¾ of
   * queueLimit), else a promise that resolves once it has drained to half. Sources that wait on it
   * pause instead of running into queue-full.
   */
  whenCapacity(): Promise<void> | undefined {
    if (this.batcher.length < this.highWater || this.state !== 'running') return undefined;
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  private releaseCapacityWaiters(): void {
    if (this.capacityWaiters.length === 0) return;
    if (this.batcher.length > this.lowWater && this.state === 'running') return;
    const waiters = this.capacityWaiters;
    this.capacityWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when every worker has loaded its session; rejects with the worker's LivepipeError otherwise. */
  start(): Promise<void> {
    if (this.state !== 'created') {
      return Promise.reject(new LivepipeError('LP_PIPELINE_STATE', `InferencePool.start() called when ${this.state}; create a new pool`));
    }
    this.state = 'starting';
    this.startup = this.startWorkers();
    return this.startup;
  }

  private async startWorkers(): Promise<void> {
    const started = await Promise.allSettled(this.slots.map((_, index) => this.spawn(index)));
    const failure = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure !== undefined) {
      this.state = 'failed';
      await Promise.all(this.slots.map((slot) => slot?.worker.terminate()));
      this.rejectAll(this.batcher.drain(), 'worker-failed', 'the inference pool failed to start');
      throw failure.reason;
    }
    if (this.state === 'starting') this.state = 'running';
    this.pump();
  }

  infer(input: InferenceInput): Promise<InferenceResult> {
    if (this.state === 'closing' || this.state === 'closed' || this.state === 'failed') {
      this.rejectedBy.closed++;
      return Promise.reject(new PoolRejection('closed', `inference pool is ${this.state}; request ${input.id} not accepted`));
    }
    if (this.batcher.length >= this.options.queueLimit) {
      this.rejectedBy['queue-full']++;
      return Promise.reject(
        new PoolRejection('queue-full', `inference queue is full (queueLimit ${this.options.queueLimit}); request ${input.id} shed`),
      );
    }
    return new Promise<InferenceResult>((resolve, reject) => {
      this.batcher.push({ enqueuedAt: performance.now(), input, resolve, reject });
      this.pump();
    });
  }

  stats(): PoolStats {
    let workers = 0;
    let busy = 0;
    for (const slot of this.slots) {
      if (slot?.ready) workers++;
      if (slot?.batch !== undefined) busy++;
    }
    const rejected = this.rejectedBy['queue-full'] + this.rejectedBy['worker-failed'] + this.rejectedBy.closed;
    return {
      workers,
      busy,
      queued: this.batcher.length,
      completed: this.completed,
      rejected,
      rejectedBy: { ...this.rejectedBy },
      batches: this.batches,
      meanBatchSize: this.batches === 0 ? 0 : this.dispatchedItems / this.batches,
      restarts: this.restarts,
    };
  }

  /** Stops accepting requests, answers everything queued and in flight, then ends the workers. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
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
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      this.pump();
      this.checkDrained();
    });
    if (this.timer !== undefined) clearTimeout(this.timer);
    await Promise.all(this.slots.map((slot) => (slot === undefined ? undefined : this.stopWorker(slot))));
    this.state = 'closed';
  }

  private async stopWorker(slot: WorkerSlot): Promise<void> {
    slot.stopping = true;
    if (slot.ready) {
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

  private spawn(index: number): Promise<void> {
    const workerData: InferenceWorkerData = { manifestPath: this.manifestPath, ...(workerEntry === undefined ? {} : { entry: workerEntry }) };
    const worker = new Worker(workerScript, { workerData });
    const slot: WorkerSlot = {
      worker,
      ready: false,
      stopping: false,
      batch: undefined,
      startError: undefined,
      crashError: undefined,
      closed: undefined,
    };
    this.slots[index] = slot;

    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerToPool) => {
        switch (message.type) {
          case 'ready':
            if (this.state === 'closed') {
              void this.stopWorker(slot);
              return;
            }
            slot.ready = true;
            resolve();
            this.pump();
            return;
          case 'start-failed':
            slot.startError = new LivepipeError(message.code ?? 'LP_WORKER_FAILED', message.message);
            return;
          case 'batch-done':
            this.finishBatch(slot, message.batchId, message.results, message.inferMs);
            return;
          case 'batch-failed':
            this.failBatch(slot, `inference failed in a worker: ${message.message}`);
            this.pump();
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
        if (this.slots[index] === slot) this.slots[index] = undefined;
        if (slot.stopping) return;
        if (!slot.ready) {
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
        slot.ready = false;
        this.failBatch(slot, `inference worker exited (code ${code})${slot.crashError ? `: ${slot.crashError.message}` : ''}`);
        if (this.state === 'running' || this.state === 'closing') {
          this.restarts++;
          this.spawn(index).catch(() => undefined);
        }
      });
    });
  }

  /** A replacement worker could not load the model: if no worker is left, nothing queued can be answered. */
  private afterReplacementFailed(): void {
    if (this.slots.some((slot) => slot !== undefined)) return;
    this.rejectAll(this.batcher.drain(), 'worker-failed', 'no inference worker is left (a replacement failed to start)');
    if (this.state === 'running') this.state = 'failed';
    this.checkDrained();
  }

  private pump(): void {
    if (this.state !== 'running' && this.state !== 'closing') return;
    while (this.batcher.length > 0) {
      const slot = this.idleSlot();
      if (slot === undefined) return; // the next finished batch pumps again
      // While closing, the queue is flushed without waiting out the delay.
      if (this.state === 'running' && !this.batcher.isDue(performance.now())) {
        this.armTimer(this.batcher.msUntilDue(performance.now()));
        return;
      }
      this.dispatch(slot, this.batcher.take());
    }
  }

  private idleSlot(): WorkerSlot | undefined {
    for (const slot of this.slots) if (slot !== undefined && slot.ready && slot.batch === undefined) return slot;
    return undefined;
  }

  private armTimer(delayMs: number): void {
    const dueAt = performance.now() + delayMs;
    if (this.timer !== undefined && this.timerDueAt <= dueAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueAt = Infinity;
      this.pump();
    }, Math.ceil(delayMs));
  }

  private dispatch(slot: WorkerSlot, items: PendingItem[]): void {
    const batch: InFlightBatch = { id: this.nextBatchId++, items, dispatchedAt: performance.now() };
    slot.batch = batch;
    this.batches++;
    this.dispatchedItems += items.length;
    const texts = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) texts[i] = (items[i] as PendingItem).input.text;
    slot.worker.postMessage({ type: 'batch', batchId: batch.id, texts } satisfies PoolToWorker);
  }

  private finishBatch(slot: WorkerSlot, batchId: number, results: ClassificationResult[], inferMs: number): void {
    const batch = slot.batch;
    if (batch === undefined || batch.id !== batchId) return;
    slot.batch = undefined;
    const batchSize = batch.items.length;
    for (let i = 0; i < batchSize; i++) {
      const item = batch.items[i] as PendingItem;
      const result = results[i] as InferenceResult;
      result.id = item.input.id;
      result.batchSize = batchSize;
      result.queueMs = batch.dispatchedAt - item.enqueuedAt;
      result.inferMs = inferMs;
      item.resolve(result);
    }
    this.completed += batchSize;
    this.pump();
    this.checkDrained();
  }

  private failBatch(slot: WorkerSlot, message: string): void {
    const batch = slot.batch;
    if (batch === undefined) return;
    slot.batch = undefined;
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
    this.releaseCapacityWaiters();
    if (this.drained === undefined || this.batcher.length > 0) return;
    if (this.slots.some((slot) => slot?.batch !== undefined)) return;
    const drained = this.drained;
    this.drained = undefined;
    drained();
  }
}
