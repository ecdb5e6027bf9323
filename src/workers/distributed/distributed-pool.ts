// The router side of distributed inference: batches items here (the deadline-aware DynamicBatcher,
// as the local pool does), adds one BullMQ job per batch to the model's queue on Redis, and resolves the items when a `livepipe worker` process
// pushes the batch's results onto this router's own Redis list. BullMQ retries stalled and failed
// jobs; the ledger makes a second completion of the same job harmless. Same API as InferencePool.
// With autoscale it runs the KPA autoscaler: it reports the desired worker count (for KEDA/HPA), and
// with localWorkers it starts and stops `livepipe worker` processes on this host itself.
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { LivepipeError } from '../../errors.js';
import {
  PoolAutoscaler,
  type AutoscaleOptions,
  type LoadSample,
  type ScalableTarget,
} from '../autoscale/autoscaler.js';
import { BatchTimeModel } from '../autoscale/batch-time-model.js';
import type {
  DeadlineOutcome,
  InferenceInput,
  InferenceResult,
  InferOptions,
  ModelPool,
  PoolEvents,
} from '../pool/model-pool.js';
import type { ScaleDecision } from '../autoscale/kpa.js';
import { DynamicBatcher, type BatchItem, type DeadlinePolicy } from '../batching/dynamic-batcher.js';
import { Admission } from '../pool/admission.js';
import { LoadMeter } from '../pool/load-meter.js';
import { POOL_REJECTION_REASONS, PoolRejection, type PoolRejectionReason } from '../pool/pool-rejection.js';
import { WakeTimer } from '../pool/wake-timer.js';
import { decodeBatchResult, isValidQueueName, type BatchJobData, type BatchResultMessage } from './job-protocol.js';
import { RouterQueue } from './router-queue.js';
import { ResultLedger, type LedgerBatch } from './result-ledger.js';
import { WorkerProcessGroup, type WorkerProcessStats } from './worker-processes.js';

export interface DistributedPoolOptions {
  /** The model's name, for messages. */
  model: string;
  /** redis://host:port[/db] */
  redis: string;
  /** BullMQ queue name (keys under `livepipe:<queue>:`); workers must serve the same one. */
  queue: string;
  maxBatch: number;
  maxDelayMs: number;
  /** Items not yet answered (batching here + sent to Redis) beyond which infer() rejects with queue-full. */
  queueLimit: number;
  /** Send a batch as soon as one of these sizes is queued (Triton's preferred batch sizes). */
  preferredSizes?: readonly number[];
  /** What happens to an item predicted to miss its deadline (see predictedWaitMs); default deliver-late. */
  deadlinePolicy?: DeadlinePolicy;
  /** Runs of a batch before it fails for good (a stalled worker counts one); default 3. */
  attempts?: number;
  /** First retry delay, doubled per attempt; default 100 ms. */
  backoffMs?: number;
  /** A batch without a result this long after it was sent fails with worker-failed; default 30 s. */
  resultTimeoutMs?: number;
  /** How often queue depth and remote workers are read from Redis; default 1 s. */
  statsRefreshMs?: number;
  /** Run the KPA autoscaler; without localWorkers it only decides (onScaleDecision → livepipe_desired_workers, for KEDA/HPA). */
  autoscale?: AutoscaleOptions;
  /** Start and stop `livepipe worker` processes on this host as the autoscaler decides; needs autoscale and manifestPath. */
  localWorkers?: boolean;
  /** The model manifest local worker processes load. */
  manifestPath?: string;
  /** Extra `livepipe worker` flags for local worker processes. */
  workerArgs?: readonly string[];
  /** A local worker process that has not exited this long after SIGTERM is killed; default 10 s. */
  workerStopTimeoutMs?: number;
  /** Queue stage budget: an item should start running within it (and the autoscaler predicts against it). */
  queueBudgetMs?: number;
  events?: PoolEvents;
  logger?: Logger;
}

export interface DistributedPoolStats {
  /** Worker processes connected to the queue (BullMQ workers seen on Redis, local ones included). */
  workers: number;
  /** Batches being run by remote workers now (active jobs, all routers). */
  busy: number;
  /** Local worker processes loading the model. */
  starting: number;
  /** The worker count the autoscaler asks for; undefined without autoscale. */
  desiredWorkers: number | undefined;
  /** Local worker processes (localWorkers), with their cold starts; undefined without. */
  localWorkers: (WorkerProcessStats & { pids: number[] }) | undefined;
  /** Requests that found no worker and woke the autoscaler. */
  activations: number;
  lastDecision: ScaleDecision | undefined;
  /** Items batching here plus items waiting in the queue (jobs × mean batch size, all routers). */
  queued: number;
  /** Jobs waiting or running in the queue × mean batch size, all routers. */
  queueDepth: number;
  /** Jobs waiting (incl. delayed retries) and active in the queue, all routers. */
  queueJobs: { waiting: number; active: number };
  /** This router's items sent to Redis and not yet answered. */
  inFlight: number;
  completed: number;
  rejected: number;
  rejectedBy: Record<PoolRejectionReason, number>;
  batches: number;
  meanBatchSize: number;
  /** Items handled by the deadline policy (late: answered after their deadline). */
  deadline: Record<DeadlineOutcome, number>;
  /** Results for a job that was already settled (a retried batch that completed twice): ignored. */
  duplicateResults: number;
  /** Results of a second or later attempt of a batch (a worker died or failed mid-batch). */
  retriedResults: number;
  /** Results for no job of this router (timed out earlier) or that could not be decoded. */
  strayResults: number;
}

interface PendingItem extends BatchItem {
  readonly id: string;
  text: string;
  resolve(result: InferenceResult): void;
  reject(error: PoolRejection): void;
}

type State = 'created' | 'starting' | 'running' | 'closing' | 'closed' | 'failed';

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 100;
const DEFAULT_RESULT_TIMEOUT_MS = 30_000;
const DEFAULT_STATS_REFRESH_MS = 1000;
/** Assumed spawn → serving time of a worker process before one was measured (Node + ONNX session load). */
const PROCESS_COLD_START_PRIOR_MS = 3000;

export class DistributedPool implements ModelPool, ScalableTarget {
  /** This router instance's id on Redis (its jobs and its result list). */
  get routerId(): string {
    return this.queue.routerId;
  }

  private readonly options: Required<
    Pick<
      DistributedPoolOptions,
      | 'model'
      | 'redis'
      | 'queue'
      | 'maxBatch'
      | 'maxDelayMs'
      | 'queueLimit'
      | 'attempts'
      | 'backoffMs'
      | 'resultTimeoutMs'
      | 'statsRefreshMs'
    >
  >;
  private readonly logger: Logger;
  private readonly batchTime = new BatchTimeModel();
  private readonly batcher: DynamicBatcher<PendingItem>;
  private readonly ledger = new ResultLedger<PendingItem>();
  private readonly queue: RouterQueue;
  private readonly admission: Admission;
  private readonly load = new LoadMeter(() => this.itemsInFlight());
  private state: State = 'created';
  private readonly wakeTimer = new WakeTimer(() => this.pump());
  private housekeeping: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private completed = 0;
  private batches = 0;
  private sentItems = 0;
  private duplicateResults = 0;
  private retriedResults = 0;
  private strayResults = 0;
  private readonly rejectedBy = Object.fromEntries(POOL_REJECTION_REASONS.map((r) => [r, 0])) as Record<
    PoolRejectionReason,
    number
  >;
  private workersSeen = 0;
  /** Workers seen on Redis that are not this pool's local processes. */
  private remoteWorkers = 0;
  private queueJobs = { waiting: 0, active: 0 };
  private readonly autoscaler: PoolAutoscaler | undefined;
  private readonly processes: WorkerProcessGroup | undefined;
  private readonly deadline: Record<DeadlineOutcome, number> = { late: 0, shed: 0, conflated: 0 };
  private readonly events: PoolEvents;
  private readonly queueBudgetMs: number | undefined;
  private desired: number | undefined;
  private activations = 0;

  constructor(options: DistributedPoolOptions) {
    const { maxBatch, maxDelayMs, queueLimit } = options;
    const invalid = (what: string): LivepipeError =>
      new LivepipeError('LP_CONFIG_INVALID', `model "${options.model}": ${what}`);
    if (!isValidQueueName(options.queue)) {
      throw invalid(
        `distributed.queue "${options.queue}" must be 1-128 letters, digits, ".", "_" or "-" (no ":"; BullMQ refuses it)`,
      );
    }
    let url: URL;
    try {
      url = new URL(options.redis);
    } catch {
      throw invalid(`distributed.redis "${options.redis}" is not a URL; write redis://host:6379`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
      throw invalid(`distributed.redis must start with redis:// or rediss://, got "${options.redis}"`);
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw invalid(`batch.maxSize must be an integer >= 1, got ${String(maxBatch)}`);
    if (!(maxDelayMs >= 0)) throw invalid(`batch.maxDelay must be >= 0 ms, got ${String(maxDelayMs)}`);
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    if (!Number.isInteger(attempts) || attempts < 1)
      throw invalid(`distributed.attempts must be an integer >= 1, got ${String(attempts)}`);
    const resultTimeoutMs = options.resultTimeoutMs ?? DEFAULT_RESULT_TIMEOUT_MS;
    if (!(resultTimeoutMs > 0))
      throw invalid(`distributed.resultTimeout must be > 0 ms, got ${String(resultTimeoutMs)}`);
    this.options = {
      model: options.model,
      redis: options.redis,
      queue: options.queue,
      maxBatch,
      maxDelayMs,
      queueLimit,
      attempts,
      backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
      resultTimeoutMs,
      statsRefreshMs: options.statsRefreshMs ?? DEFAULT_STATS_REFRESH_MS,
    };
    this.logger = options.logger ?? pino({ name: 'livepipe-distributed-pool', level: 'warn' });
    this.batcher = new DynamicBatcher(
      { maxBatch, maxDelayMs, preferredSizes: options.preferredSizes, policy: options.deadlinePolicy },
      this.batchTime,
    );
    this.events = options.events ?? {};
    this.queueBudgetMs = options.queueBudgetMs;
    this.queue = new RouterQueue({
      redis: options.redis,
      queue: options.queue,
      forWhat: `model "${options.model}"`,
      attempts,
      backoffMs: this.options.backoffMs,
      logger: this.logger,
      onResults: (messages) => {
        for (const message of messages) this.onResult(message);
        this.checkDrained();
      },
      onJobFailed: (jobId, reason) => this.onJobFailed(jobId, reason),
    });
    this.admission = new Admission(queueLimit);
    if (options.localWorkers === true) {
      if (options.autoscale === undefined) {
        throw invalid(
          'distributed.localWorkers needs autoscale.enabled: true (with autoscale.min/max); or start `livepipe worker` processes yourself',
        );
      }
      if (options.manifestPath === undefined || options.manifestPath === '')
        throw invalid('distributed.localWorkers needs the model manifest path');
      this.processes = new WorkerProcessGroup({
        manifestPath: options.manifestPath,
        redis: options.redis,
        queue: options.queue,
        logger: this.logger,
        stopTimeoutMs: options.workerStopTimeoutMs,
        workerArgs: options.workerArgs,
        onColdStart: this.events.onColdStart,
      });
    }
    if (options.autoscale !== undefined) {
      this.autoscaler = new PoolAutoscaler(this, options.autoscale, {
        queueBudgetMs: options.queueBudgetMs,
        onDecision: this.events.onScaleDecision,
      });
      this.desired = options.autoscale.min;
    }
  }

  /** Connects to Redis and starts taking results; rejects with LP_BROKER_UNAVAILABLE if Redis cannot be reached. */
  async start(): Promise<void> {
    if (this.state !== 'created') {
      throw new LivepipeError(
        'LP_PIPELINE_STATE',
        `DistributedPool.start() called when ${this.state}; create a new pool`,
      );
    }
    this.state = 'starting';
    try {
      await this.queue.open();
      await this.refreshQueueStats();
      if (this.processes !== undefined) {
        // The first `min` processes must load: a manifest they cannot serve is reported here, not later.
        this.processes.resize(this.desired ?? 0);
        await this.processes.whenReady();
      }
    } catch (error) {
      this.state = 'failed';
      await this.processes?.close();
      await this.queue.close();
      this.rejectAll(
        this.batcher.drain(),
        'worker-failed',
        `model "${this.options.model}": the distributed pool failed to start`,
      );
      throw error;
    }
    if (this.state !== 'starting') return;
    this.state = 'running';
    this.housekeeping = setInterval(
      () => {
        this.failOverdue();
        void this.refreshQueueStats();
      },
      Math.min(this.options.statsRefreshMs, Math.max(50, this.options.resultTimeoutMs / 4)),
    );
    this.housekeeping.unref();
    this.autoscaler?.start();
    this.pump();
  }

  infer(input: InferenceInput, options?: InferOptions): Promise<InferenceResult> {
    if (this.state === 'closing' || this.state === 'closed' || this.state === 'failed') {
      this.rejectedBy.closed++;
      return Promise.reject(
        new PoolRejection(
          'closed',
          `distributed pool of model "${this.options.model}" is ${this.state}; request ${input.id} not accepted`,
        ),
      );
    }
    if (this.admission.isFull(this.pending())) {
      this.rejectedBy['queue-full']++;
      return Promise.reject(
        new PoolRejection(
          'queue-full',
          `distributed queue of model "${this.options.model}" is full (queueLimit ${this.options.queueLimit}); request ${input.id} shed`,
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
        resolve,
        reject,
      });
      // Activation: the autoscaler asked for zero workers; wake it now rather than at the next tick.
      if (this.desired === 0 && this.state === 'running') this.activate(now);
      this.pump();
    });
  }

  private activate(now: number): void {
    this.activations++;
    (this.autoscaler as PoolAutoscaler).decideNow(now);
    if (this.desired === 0 && this.readyWorkers() === 0) this.resize(1);
  }

  /** Items waiting for a worker: batching here plus jobs waiting in the queue (all routers) × the open batches' size. */
  queuedItems(): number {
    const open = this.ledger.openBatches;
    const perJob = open > 0 ? this.ledger.openItems / open : this.itemsPerJob();
    return this.batcher.length + Math.round(this.queueJobs.waiting * perJob);
  }

  /** Local processes serving plus the other workers seen on Redis. */
  readyWorkers(): number {
    return (this.processes?.ready() ?? 0) + this.remoteWorkers;
  }

  perItemMs(): number | undefined {
    if (this.batchTime.count === 0) return undefined;
    return this.batchTime.predict(this.options.maxBatch) / this.options.maxBatch;
  }

  coldStartMs(): number {
    return this.processes?.meanColdStartMs() ?? PROCESS_COLD_START_PRIOR_MS;
  }

  /** Time-averaged items in flight and arrivals since the previous call (for the autoscaler). */
  takeLoadSample(now: number): LoadSample {
    return this.load.take(now);
  }

  /**
   * Sets the number of workers wanted. Without local workers this is only reported; with them,
   * local processes make up what the remote workers seen on Redis do not cover.
   */
  resize(workers: number): void {
    if (!Number.isInteger(workers) || workers < 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `DistributedPool.resize() takes an integer >= 0, got ${String(workers)}`,
      );
    }
    this.desired = workers;
    if (this.state === 'running' || this.state === 'closing')
      this.processes?.resize(Math.max(0, workers - this.remoteWorkers));
  }

  /**
   * Items batching here, this router's items sent and unanswered (exact, every event), and other
   * routers' jobs in the queue × the mean batch size (read every statsRefresh).
   */
  private itemsInFlight(): number {
    const { waiting, active } = this.queueJobs;
    const othersJobs = Math.max(0, waiting + active - this.ledger.openBatches);
    return this.batcher.length + this.ledger.openItems + Math.round(othersJobs * this.itemsPerJob());
  }

  private itemsPerJob(): number {
    return this.batches === 0 ? this.options.maxBatch : this.sentItems / this.batches;
  }

  /** Items counted against queueLimit: batching here plus sent to Redis and not yet answered. */
  private pending(): number {
    return this.batcher.length + this.ledger.openItems;
  }

  whenCapacity(): Promise<void> | undefined {
    return this.admission.whenCapacity(this.pending(), this.state === 'running');
  }

  stats(): DistributedPoolStats {
    let rejected = 0;
    for (const count of Object.values(this.rejectedBy)) rejected += count;
    const meanBatchSize = this.batches === 0 ? 0 : this.sentItems / this.batches;
    const perJob = this.itemsPerJob();
    const { waiting, active } = this.queueJobs;
    const local = this.processes?.stats();
    return {
      workers: this.workersSeen,
      busy: active,
      starting: local?.starting ?? 0,
      desiredWorkers: this.desired,
      localWorkers: local === undefined ? undefined : { ...local, pids: (this.processes as WorkerProcessGroup).pids() },
      activations: this.activations,
      lastDecision: this.autoscaler?.lastDecision,
      queued: this.batcher.length + Math.round(waiting * perJob),
      queueDepth: Math.round((waiting + active) * perJob),
      queueJobs: { waiting, active },
      inFlight: this.ledger.openItems,
      completed: this.completed,
      rejected,
      rejectedBy: { ...this.rejectedBy },
      batches: this.batches,
      meanBatchSize,
      deadline: { ...this.deadline },
      duplicateResults: this.duplicateResults,
      retriedResults: this.retriedResults,
      strayResults: this.strayResults,
    };
  }

  /** Stops accepting requests, sends what is batching, waits for every sent batch's result (or its timeout), then disconnects. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.autoscaler?.stop();
    const wasRunning = this.state === 'running';
    if (this.state === 'created' || this.state === 'failed' || this.state === 'starting') {
      this.rejectAll(
        this.batcher.drain(),
        'closed',
        `the distributed pool of model "${this.options.model}" was closed before it started`,
      );
    }
    this.state = 'closing';
    // Local workers scaled to zero still answer what is batching or queued.
    if (
      wasRunning &&
      this.processes !== undefined &&
      this.batcher.length + this.ledger.openItems > 0 &&
      this.processes.active() === 0
    ) {
      this.processes.resize(1);
    }
    if (wasRunning) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        this.pump();
        this.checkDrained();
      });
    }
    this.wakeTimer.cancel();
    if (this.housekeeping !== undefined) clearInterval(this.housekeeping);
    this.state = 'closed';
    this.admission.release(this.pending(), false);
    await this.queue.close();
    await this.processes?.close();
  }

  private pump(): void {
    if (this.state !== 'running' && this.state !== 'closing') return;
    const now = performance.now();
    if (this.batcher.policy !== 'deliver-late') this.applyDeadlinePolicy(now, this.predictedWaitMs());
    let due: PendingItem[][] | undefined;
    // While closing, everything batching is sent without waiting out the delay.
    while (this.batcher.length > 0 && (this.state === 'closing' || this.batcher.isDue(now)))
      (due ??= []).push(this.batcher.take(now));
    if (due !== undefined) this.send(due, now);
    if (this.batcher.length > 0) this.wakeTimer.arm(this.batcher.msUntilDue(now));
  }

  /**
   * How long a batch sent now waits in Redis before a worker starts it: the jobs ahead of it, spread
   * over the workers seen on Redis, each taking the learned time of a batch of the mean job size.
   * Jobs ahead: those waiting at the last stats refresh (all routers), or this router's unanswered
   * batches beyond the active jobs if more (they were sent since). With no worker seen, a cold start.
   * Not predicted: the Redis round trips, a worker's concurrency above one, other routers' jobs
   * added since the last refresh.
   */
  private predictedWaitMs(): number {
    const workers = this.readyWorkers();
    if (workers === 0) return this.coldStartMs();
    const ahead = Math.max(this.queueJobs.waiting, this.ledger.openBatches - this.queueJobs.active);
    return Math.ceil(ahead / workers) * this.batchTime.predict(Math.round(this.itemsPerJob()));
  }

  private applyDeadlinePolicy(now: number, waitMs: number): void {
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

  /** One round trip for every batch due now (addBulk). */
  private send(batches: PendingItem[][], now: number): void {
    const jobs = new Array<{ jobId: string; data: BatchJobData }>(batches.length);
    const sent = new Array<LedgerBatch<PendingItem>>(batches.length);
    for (let b = 0; b < batches.length; b++) {
      const items = batches[b] as PendingItem[];
      const jobId = this.queue.nextJobId();
      const ids = new Array<string>(items.length);
      const texts = new Array<string>(items.length);
      for (let i = 0; i < items.length; i++) {
        const item = items[i] as PendingItem;
        ids[i] = item.id;
        texts[i] = item.text;
      }
      jobs[b] = { jobId, data: { router: this.queue.routerId, ids, texts } };
      const batch = { jobId, items, sentAt: now };
      sent[b] = batch;
      this.ledger.add(batch);
      this.batches++;
      this.sentItems += items.length;
    }
    this.queue.add(jobs).catch((error: unknown) => {
      this.load.accrue(performance.now());
      const message = `could not add ${jobs.length} batch job(s) to Redis queue ${this.options.queue}: ${(error as Error).message}`;
      this.logger.error({ err: error }, message);
      for (const batch of sent)
        if (this.ledger.fail(batch.jobId) !== undefined) this.rejectAll(batch.items, 'worker-failed', message);
      this.checkDrained();
    });
  }

  private onResult(text: string): void {
    let message: BatchResultMessage;
    try {
      message = decodeBatchResult(text);
    } catch (error) {
      this.strayResults++;
      this.logger.warn({ err: error }, 'ignored an undecodable result message');
      return;
    }
    this.load.accrue(performance.now());
    const outcome = this.ledger.settle(message.jobId, message.ids);
    switch (outcome.kind) {
      case 'duplicate':
        this.duplicateResults++;
        return;
      case 'unknown':
        this.strayResults++;
        return;
      case 'mismatch':
        this.rejectAll(
          outcome.batch.items,
          'worker-failed',
          `worker ${message.worker} answered job ${message.jobId} wrongly (${outcome.detail})`,
        );
        return;
      case 'settled':
        break;
    }
    if (message.attempt > 1) this.retriedResults++;
    const now = performance.now();
    // Batching here, the queue and the trip through Redis: everything before the run itself.
    const startedAt = now - message.inferMs;
    const items = outcome.batch.items;
    const batchSize = items.length;
    this.batchTime.observe(batchSize, message.inferMs);
    let late = 0;
    for (let i = 0; i < batchSize; i++) {
      const item = items[i] as PendingItem;
      const result = message.results[i] as InferenceResult;
      result.id = item.id;
      result.batchSize = batchSize;
      result.queueMs = Math.max(0, startedAt - item.enqueuedAt);
      result.inferMs = message.inferMs;
      result.late = now > item.finishBy || startedAt > item.startBy;
      if (result.late) late++;
      item.resolve(result);
    }
    this.completed += batchSize;
    if (late > 0) {
      this.deadline.late += late;
      this.events.onDeadlineOutcome?.('late', late);
    }
  }

  private onJobFailed(jobId: string, reason: string): void {
    this.load.accrue(performance.now());
    const batch = this.ledger.fail(jobId);
    if (batch === undefined) return;
    this.rejectAll(
      batch.items,
      'worker-failed',
      `batch job ${jobId} failed after ${this.options.attempts} attempt(s): ${reason}`,
    );
    this.checkDrained();
  }

  private failOverdue(): void {
    const overdue = this.ledger.overdue(performance.now() - this.options.resultTimeoutMs);
    if (overdue.length === 0) return;
    this.load.accrue(performance.now());
    for (const { jobId } of overdue) {
      const batch = this.ledger.fail(jobId);
      if (batch === undefined) continue;
      this.rejectAll(
        batch.items,
        'worker-failed',
        `no result for batch job ${jobId} within ${this.options.resultTimeoutMs} ms; is a \`livepipe worker\` serving queue ${this.options.queue} on ${this.options.redis}?`,
      );
      // A waiting job would still be run for nobody; an active one finishes and its result is counted as stray.
      this.queue.remove(jobId);
    }
    this.checkDrained();
  }

  private async refreshQueueStats(): Promise<void> {
    try {
      const { waiting, active, workerNames } = await this.queue.depth();
      this.load.accrue(performance.now());
      this.queueJobs = { waiting, active };
      this.workersSeen = workerNames.length;
      this.remoteWorkers = this.processes?.countOthers(workerNames) ?? workerNames.length;
    } catch (error) {
      this.logger.debug({ err: error }, 'reading queue stats failed');
    }
  }

  private rejectAll(items: readonly PendingItem[], reason: PoolRejectionReason, message: string): void {
    for (const item of items) {
      this.rejectedBy[reason]++;
      item.reject(new PoolRejection(reason, `${message}; request ${item.id} not answered`));
    }
  }

  private checkDrained(): void {
    this.admission.release(this.pending(), this.state === 'running');
    if (this.drained === undefined || this.batcher.length > 0 || this.ledger.openBatches > 0) return;
    const drained = this.drained;
    this.drained = undefined;
    drained();
  }
}
