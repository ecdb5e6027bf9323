// The router side of distributed inference: batches items here (the same deadline-aware batcher as
// the local pool), adds one BullMQ job per batch to the model's queue on Redis, and answers the
// items when a `livepipe worker` process pushes the batch's results onto this router's own list.
// BullMQ retries stalled and failed jobs; the ledger makes a second completion harmless. With
// autoscale it runs the KPA autoscaler: it reports the desired worker count (for KEDA/HPA), and with
// localWorkers it starts and stops `livepipe worker` processes on this host itself.
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { LivepipeError } from '../../errors.js';
import { BatchingPool, type BatchingOptions, type PendingItem, type PoolCounts } from '../pool/batching-pool.js';
import { LOCAL_WORKERS_NEED_AUTOSCALE } from '../../config/distributed-schema.js';
import { batchJobData, decodeBatchResult, type BatchJobData, type BatchResultMessage } from './job-protocol.js';
import { ResultLedger, type LedgerBatch } from './result-ledger.js';
import { RouterQueue } from './router-queue.js';
import { WorkerProcessGroup, type WorkerProcessStats } from './worker-processes.js';

/** queueLimit counts the items batching here plus those sent to Redis and not yet answered. */
export interface DistributedPoolOptions extends BatchingOptions {
  /** The model's name, for messages. */
  model: string;
  /** redis://host:port[/db] */
  redis: string;
  /** BullMQ queue name (keys under `livepipe:<queue>:`); workers must serve the same one. */
  queue: string;
  /** Runs of a batch before it fails for good (a stalled worker counts one); default 3. */
  attempts?: number;
  /** First retry delay, doubled per attempt; default 100 ms. */
  backoffMs?: number;
  /** A batch without a result this long after it was sent fails with worker-failed; default 30 s. */
  resultTimeoutMs?: number;
  /** How often queue depth and remote workers are read from Redis; default 1 s. */
  statsRefreshMs?: number;
  /** Start and stop `livepipe worker` processes on this host as the autoscaler decides; needs autoscale and manifestPath. */
  localWorkers?: boolean;
  /** The model manifest local worker processes load. */
  manifestPath?: string;
  /** Extra `livepipe worker` flags for local worker processes. */
  workerArgs?: readonly string[];
  /** A local worker process that has not exited this long after SIGTERM is killed; default 10 s. */
  workerStopTimeoutMs?: number;
  logger?: Logger;
}

export interface DistributedPoolStats extends PoolCounts {
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
  /** Items batching here plus items waiting in the queue (jobs × mean batch size, all routers). */
  queued: number;
  /** Jobs waiting or running in the queue × mean batch size, all routers. */
  queueDepth: number;
  /** Jobs waiting (incl. delayed retries) and active in the queue, all routers. */
  queueJobs: { waiting: number; active: number };
  /** This router's items sent to Redis and not yet answered. */
  inFlight: number;
  /** Results for a job that was already settled (a retried batch that completed twice): ignored. */
  duplicateResults: number;
  /** Results of a second or later attempt of a batch (a worker died or failed mid-batch). */
  retriedResults: number;
  /** Results for no job of this router (timed out earlier) or that could not be decoded. */
  strayResults: number;
}

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BACKOFF_MS = 100;
const DEFAULT_RESULT_TIMEOUT_MS = 30_000;
const DEFAULT_STATS_REFRESH_MS = 1000;
/** Assumed spawn → serving time of a worker process before one was measured (Node + ONNX session load). */
const PROCESS_COLD_START_PRIOR_MS = 3000;

export class DistributedPool extends BatchingPool {
  private readonly where: string;
  private readonly attempts: number;
  private readonly resultTimeoutMs: number;
  private readonly statsRefreshMs: number;
  private readonly logger: Logger;
  private readonly queue: RouterQueue;
  private readonly ledger = new ResultLedger<PendingItem>();
  private readonly processes: WorkerProcessGroup | undefined;
  private housekeeping: NodeJS.Timeout | undefined;
  private desired: number | undefined;
  private workersSeen = 0;
  /** Workers seen on Redis that are not this pool's local processes. */
  private remoteWorkers = 0;
  private queueJobs = { waiting: 0, active: 0 };
  private duplicateResults = 0;
  private retriedResults = 0;
  private strayResults = 0;

  constructor(options: DistributedPoolOptions) {
    const invalid = (what: string): LivepipeError =>
      new LivepipeError('LP_CONFIG_INVALID', `model "${options.model}": ${what}`);
    const resultTimeoutMs = options.resultTimeoutMs ?? DEFAULT_RESULT_TIMEOUT_MS;
    if (!(resultTimeoutMs > 0))
      throw invalid(`distributed.resultTimeout must be > 0 ms, got ${String(resultTimeoutMs)}`);
    if (options.localWorkers === true && options.autoscale === undefined) throw invalid(LOCAL_WORKERS_NEED_AUTOSCALE);
    super(`distributed pool of model "${options.model}"`, options);
    this.where = `queue ${options.queue} on ${options.redis}`;
    this.attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.resultTimeoutMs = resultTimeoutMs;
    this.statsRefreshMs = options.statsRefreshMs ?? DEFAULT_STATS_REFRESH_MS;
    this.logger = options.logger ?? pino({ name: 'livepipe-distributed-pool', level: 'warn' });
    this.queue = new RouterQueue({
      redis: options.redis,
      queue: options.queue,
      forWhat: `model "${options.model}"`,
      attempts: this.attempts,
      backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
      logger: this.logger,
      onResults: (messages) => {
        for (const message of messages) this.onResult(message);
      },
      onJobFailed: (jobId, reason) => this.failJob(jobId, `failed after ${this.attempts} attempt(s): ${reason}`),
    });
    if (options.localWorkers === true) {
      this.processes = new WorkerProcessGroup({
        manifestPath: options.manifestPath ?? '',
        redis: options.redis,
        queue: options.queue,
        logger: this.logger,
        stopTimeoutMs: options.workerStopTimeoutMs,
        workerArgs: options.workerArgs,
        onColdStart: this.events.onColdStart,
      });
    }
    this.desired = options.autoscale?.min;
  }

  /** This router instance's id on Redis (its jobs and its result list). */
  get routerId(): string {
    return this.queue.routerId;
  }

  /** Connects to Redis (LP_BROKER_UNAVAILABLE if it cannot) and, with localWorkers, waits for the first `min` processes. */
  protected async open(): Promise<void> {
    await this.queue.open();
    await this.refreshQueueStats();
    if (this.processes !== undefined) {
      // The first `min` processes must load: a manifest they cannot serve is reported here, not later.
      this.processes.resize(this.desired ?? 0);
      await this.processes.whenReady();
    }
    this.housekeeping = setInterval(
      () => {
        this.failOverdue();
        void this.refreshQueueStats();
      },
      Math.min(this.statsRefreshMs, Math.max(50, this.resultTimeoutMs / 4)),
    );
    this.housekeeping.unref();
  }

  protected async abandon(): Promise<void> {
    await this.processes?.close();
    await this.queue.close();
  }

  protected async release(): Promise<void> {
    if (this.housekeeping !== undefined) clearInterval(this.housekeeping);
    await this.queue.close();
    await this.processes?.close();
  }

  protected scaledToZero(): boolean {
    return this.desired === 0;
  }

  protected wake(): void {
    if (this.readyWorkers() === 0) this.setSize(1);
  }

  /** Items waiting for a worker: batching here plus jobs waiting in the queue (all routers) × the open batches' size. */
  queuedItems(): number {
    const open = this.ledger.openBatches;
    const perJob = open > 0 ? this.handedOff / open : this.itemsPerJob();
    return this.batcher.length + Math.round(this.queueJobs.waiting * perJob);
  }

  /** Local processes serving plus the other workers seen on Redis. */
  readyWorkers(): number {
    return (this.processes?.ready() ?? 0) + this.remoteWorkers;
  }

  coldStartMs(): number {
    return this.processes?.meanColdStartMs() ?? PROCESS_COLD_START_PRIOR_MS;
  }

  /**
   * Sets the number of workers wanted. Without local workers this is only reported; with them,
   * local processes make up what the remote workers seen on Redis do not cover.
   */
  protected setSize(workers: number): void {
    this.desired = workers;
    if (this.state === 'running' || this.state === 'closing')
      this.processes?.resize(Math.max(0, workers - this.remoteWorkers));
  }

  protected override pending(): number {
    return this.batcher.length + this.handedOff;
  }

  /**
   * Items batching here, this router's items sent and unanswered (exact, every event), and other
   * routers' jobs in the queue × the mean batch size (read every statsRefresh).
   */
  protected override itemsInFlight(): number {
    const { waiting, active } = this.queueJobs;
    const othersJobs = Math.max(0, waiting + active - this.ledger.openBatches);
    return this.batcher.length + this.handedOff + Math.round(othersJobs * this.itemsPerJob());
  }

  private itemsPerJob(): number {
    return this.meanBatchSize() ?? this.batcher.fullBatchItems();
  }

  stats(): DistributedPoolStats {
    const perJob = this.itemsPerJob();
    const { waiting, active } = this.queueJobs;
    const local = this.processes?.stats();
    return {
      ...this.counts(),
      workers: this.workersSeen,
      busy: active,
      starting: local?.starting ?? 0,
      desiredWorkers: this.desired,
      localWorkers: local === undefined ? undefined : { ...local, pids: (this.processes as WorkerProcessGroup).pids() },
      queued: this.batcher.length + Math.round(waiting * perJob),
      queueDepth: Math.round((waiting + active) * perJob),
      queueJobs: { waiting, active },
      inFlight: this.handedOff,
      duplicateResults: this.duplicateResults,
      retriedResults: this.retriedResults,
      strayResults: this.strayResults,
    };
  }

  /** Sends every batch that is due (all of them while closing), in one round trip to Redis. */
  protected pump(): void {
    if (this.state !== 'running' && this.state !== 'closing') return;
    const now = performance.now();
    if (this.batcher.policy !== 'deliver-late') this.applyDeadlinePolicy(now, this.predictedWaitMs());
    let due: PendingItem[][] | undefined;
    while (this.batcher.length > 0 && (this.state === 'closing' || this.batcher.isDue(now)))
      (due ??= []).push(this.takeBatch(now));
    if (due !== undefined) this.send(due, now);
    if (this.batcher.length > 0) this.wakeTimer.arm(this.batcher.msUntilDue(now));
    this.checkDrained();
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
    return Math.ceil(ahead / workers) * this.batcher.predictItems(Math.round(this.itemsPerJob()));
  }

  private send(batches: PendingItem[][], now: number): void {
    const jobs = new Array<{ jobId: string; data: BatchJobData }>(batches.length);
    const sent = new Array<LedgerBatch<PendingItem>>(batches.length);
    for (let b = 0; b < batches.length; b++) {
      const items = batches[b] as PendingItem[];
      const jobId = this.queue.nextJobId();
      jobs[b] = { jobId, data: batchJobData(this.queue.routerId, items) };
      const batch = { jobId, items, sentAt: now };
      sent[b] = batch;
      this.ledger.add(batch);
      this.handOff(items, now);
    }
    this.queue.add(jobs).catch((error: unknown) => {
      const reason = `could not be added to Redis ${this.where}: ${(error as Error).message}`;
      this.logger.error({ err: error }, `${jobs.length} batch job(s) ${reason}`);
      for (const { jobId } of sent) this.failJob(jobId, reason);
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
    const outcome = this.ledger.settle(message.jobId, message.ids);
    switch (outcome.kind) {
      case 'duplicate':
        this.duplicateResults++;
        return;
      case 'unknown':
        this.strayResults++;
        return;
      case 'mismatch':
        this.failHandedOff(
          outcome.batch.items,
          `worker ${message.worker} answered job ${message.jobId} wrongly (${outcome.detail})`,
        );
        return;
      case 'settled':
        break;
    }
    if (message.attempt > 1) this.retriedResults++;
    // Batching here, the queue and the trip through Redis: everything before the run itself.
    const startedAt = performance.now() - message.inferMs;
    this.answer(outcome.batch.items, message.results, startedAt, message.inferMs, message.inferMs, message.tokens);
  }

  /** Rejects the items of a job that will not be answered, unless it was settled already. */
  private failJob(jobId: string, reason: string): void {
    const batch = this.ledger.fail(jobId);
    if (batch !== undefined) this.failHandedOff(batch.items, `batch job ${jobId} ${reason}`);
  }

  private failOverdue(): void {
    for (const { jobId } of this.ledger.overdue(performance.now() - this.resultTimeoutMs)) {
      this.failJob(
        jobId,
        `got no result within ${this.resultTimeoutMs} ms; is a \`livepipe worker\` serving ${this.where}?`,
      );
      // A waiting job would still be run for nobody; an active one finishes and its result is counted as stray.
      this.queue.remove(jobId);
    }
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
}
