// Local `livepipe worker` child processes for a distributed model whose autoscaler may start and
// stop them (distributed.localWorkers): spawn, readiness from the worker's "serving" line, measured
// cold start, SIGTERM (the worker finishes its batch) then SIGKILL, and restarts with backoff.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { LivepipeError } from '../../errors.js';
import { ColdStarts, type ColdStartStats } from '../pool/cold-starts.js';
import { MAX_WORKERS } from '../pool/model-pool.js';

export interface WorkerProcessOptions {
  /** Model manifest the workers load (resolved against the current directory). */
  manifestPath: string;
  redis: string;
  queue: string;
  logger: Logger;
  /** After SIGTERM, a worker that has not exited this long is killed; default 10 s. */
  stopTimeoutMs?: number;
  /** Extra `livepipe worker` flags, e.g. ['--lock-duration', '2s']. */
  workerArgs?: readonly string[];
  /** A process printed its serving line: spawn → ready, in ms. */
  onColdStart?(ms: number): void;
}

export interface WorkerProcessStats extends ColdStartStats {
  ready: number;
  starting: number;
  /** Signalled to stop (or waiting to load before being signalled), not yet exited. */
  stopping: number;
  spawned: number;
  /** Exits nobody asked for (crash, or a failed model load); the group starts a replacement. */
  unexpectedExits: number;
}

type ChildState = 'starting' | 'ready' | 'stopping';

interface WorkerChild {
  readonly process: ChildProcess;
  readonly pid: number;
  state: ChildState;
  /** Scaled down while still loading: stopped as soon as it is ready (a load is not interrupted). */
  retiring: boolean;
  readonly spawnedAt: number;
  readonly exited: Promise<void>;
  /** Resolves true once it serves, false if it exited first. */
  readonly served: Promise<boolean>;
  markServed(served: boolean): void;
  /** Last lines of output, for the message when it dies. */
  readonly tail: string[];
}

const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const TAIL_LINES = 20;
const SERVING_LINE = 'livepipe worker: serving model';
const RESTART_BACKOFF_MS = 500;
/** A process told to stop while loading gets this long to finish the load first. */
const LOAD_BEFORE_STOP_TIMEOUT_MS = 60_000;
const MAX_RESTART_BACKOFF_MS = 30_000;

// From source (vitest, tsx) the child runs src/cli.ts under tsx, resolved to an absolute URL so that
// it loads whatever the current directory; compiled, it runs dist/cli.js.
const fromSource = import.meta.url.endsWith('.ts');
const cliEntry = fileURLToPath(new URL(fromSource ? '../../cli.ts' : '../../cli.js', import.meta.url));
const nodeArgs = fromSource
  ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, cliEntry]
  : [cliEntry];

export class WorkerProcessGroup {
  private readonly options: WorkerProcessOptions;
  private readonly args: readonly string[];
  private readonly stopTimeoutMs: number;
  private readonly logger: Logger;
  private readonly children: WorkerChild[] = [];
  private readonly everSpawned = new Set<number>();
  private target = 0;
  private closed = false;
  private spawned = 0;
  private unexpectedExits = 0;
  private failedStartsInARow = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly coldStarts: ColdStarts;
  private readonly killOnExit = (): void => {
    for (const child of this.children) child.process.kill('SIGKILL');
  };

  constructor(options: WorkerProcessOptions) {
    if (typeof options.manifestPath !== 'string' || options.manifestPath === '') {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        'local worker processes need the model manifest path (models[].manifest)',
      );
    }
    const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    if (!(stopTimeoutMs > 0))
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `worker stop timeout must be > 0 ms, got ${String(options.stopTimeoutMs)}`,
      );
    this.options = options;
    this.coldStarts = new ColdStarts(options.onColdStart);
    this.stopTimeoutMs = stopTimeoutMs;
    this.logger = options.logger;
    this.args = [
      ...nodeArgs,
      'worker',
      '--model',
      resolvePath(options.manifestPath),
      '--redis',
      options.redis,
      '--queue',
      options.queue,
      ...(options.workerArgs ?? []),
    ];
  }

  /** Processes serving or loading, not being stopped: what resize() steers. */
  active(): number {
    let count = 0;
    for (const child of this.children) if (child.state !== 'stopping' && !child.retiring) count++;
    return count;
  }

  ready(): number {
    let count = 0;
    for (const child of this.children) if (child.state === 'ready' && !child.retiring) count++;
    return count;
  }

  /** Pids of the processes alive now (any state). */
  pids(): number[] {
    return this.children.map((child) => child.pid);
  }

  /**
   * How many of these BullMQ worker names are not this group's processes (a `livepipe worker` names
   * its connection …:w:<host>:<pid>; a pid this group ever spawned on this host is its own).
   */
  countOthers(workerNames: readonly string[]): number {
    const localHost = `:w:${hostname()}:`;
    let others = 0;
    for (const name of workerNames) {
      const at = name.lastIndexOf(localHost);
      if (at >= 0 && this.everSpawned.has(Number(name.slice(at + localHost.length)))) continue;
      others++;
    }
    return others;
  }

  /** Mean cold start so far; undefined before the first process was ready. */
  meanColdStartMs(): number | undefined {
    return this.coldStarts.meanMs();
  }

  stats(): WorkerProcessStats {
    let ready = 0;
    let starting = 0;
    let stopping = 0;
    for (const child of this.children) {
      if (child.state === 'stopping' || child.retiring) stopping++;
      else if (child.state === 'ready') ready++;
      else starting++;
    }
    return {
      ready,
      starting,
      stopping,
      spawned: this.spawned,
      unexpectedExits: this.unexpectedExits,
      ...this.coldStarts.stats(),
    };
  }

  /** Sets how many processes should serve: starts new ones, or stops the newest (loading ones first). */
  resize(processes: number): void {
    if (!Number.isInteger(processes) || processes < 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `worker process count must be an integer >= 0, got ${String(processes)}`,
      );
    }
    if (this.closed) return;
    this.target = Math.min(MAX_WORKERS, processes);
    this.reconcile();
  }

  /** Resolves once every process now loading is ready; rejects with LP_WORKER_FAILED if one exits first. */
  async whenReady(): Promise<void> {
    const loading = this.children.filter((child) => child.state === 'starting' && !child.retiring);
    await Promise.all(
      loading.map(async (child) => {
        if (!(await child.served)) throw this.startFailure(child);
      }),
    );
  }

  /** Stops every process (SIGTERM, SIGKILL after the timeout) and waits for them to exit. */
  async close(): Promise<void> {
    this.closed = true;
    this.target = 0;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    await Promise.all(this.children.map((child) => this.stop(child)));
    process.off('exit', this.killOnExit);
  }

  private reconcile(): void {
    let active = this.active();
    // Growing again first keeps loading processes that were about to be stopped.
    for (const child of this.children) {
      if (active >= this.target) break;
      if (child.retiring) {
        child.retiring = false;
        active++;
      }
    }
    while (active < this.target && this.restartTimer === undefined) {
      this.spawnOne();
      active++;
    }
    if (active <= this.target) return;
    // Loading ones go first (they serve nothing yet), then the newest ready ones.
    const candidates = this.children.filter((child) => child.state !== 'stopping' && !child.retiring);
    candidates.sort((a, b) => (a.state === b.state ? b.spawnedAt - a.spawnedAt : a.state === 'starting' ? -1 : 1));
    for (const child of candidates) {
      if (active <= this.target) break;
      void this.stop(child);
      active--;
    }
  }

  private spawnOne(): void {
    const spawnedAt = performance.now();
    const proc = spawn(process.execPath, this.args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    if (proc.pid === undefined) {
      // spawn failed synchronously (e.g. EAGAIN); the 'error' event tells why.
      proc.once('error', (error) => this.logger.error({ err: error }, 'could not start a livepipe worker process'));
      this.scheduleRestart();
      return;
    }
    if (this.children.length === 0) process.on('exit', this.killOnExit);
    const pid = proc.pid;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let markServed!: (served: boolean) => void;
    const served = new Promise<boolean>((resolve) => (markServed = resolve));
    const child: WorkerChild = {
      process: proc,
      pid,
      state: 'starting',
      retiring: false,
      spawnedAt,
      exited,
      served,
      markServed,
      tail: [],
    };
    this.children.push(child);
    this.everSpawned.add(pid);
    this.spawned++;
    this.logger.debug({ workerPid: pid, queue: this.options.queue }, 'started a livepipe worker process');
    this.forwardLines(child, proc.stdout!, 'stdout');
    this.forwardLines(child, proc.stderr!, 'stderr');
    proc.once('error', (error) => this.logger.warn({ err: error, workerPid: pid }, 'livepipe worker process error'));
    proc.once('exit', (code, signal) => this.onExit(child, code, signal));
  }

  private forwardLines(child: WorkerChild, stream: NodeJS.ReadableStream, kind: 'stdout' | 'stderr'): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.onLine(child, line, kind);
    });
    stream.on('end', () => {
      if (partial !== '') this.onLine(child, partial, kind);
    });
  }

  private onLine(child: WorkerChild, line: string, kind: 'stdout' | 'stderr'): void {
    if (line === '') return;
    child.tail.push(line);
    if (child.tail.length > TAIL_LINES) child.tail.shift();
    if (kind === 'stderr') this.logger.warn({ workerPid: child.pid }, line);
    else this.logger.debug({ workerPid: child.pid }, line);
    if (child.state === 'starting' && kind === 'stdout' && line.includes(SERVING_LINE)) this.onReady(child);
  }

  private onReady(child: WorkerChild): void {
    const ms = performance.now() - child.spawnedAt;
    child.state = 'ready';
    child.markServed(true);
    this.failedStartsInARow = 0;
    this.coldStarts.record(ms);
    this.logger.debug({ workerPid: child.pid, coldStartMs: Math.round(ms) }, 'livepipe worker process ready');
    if (child.retiring || this.closed) void this.stop(child);
  }

  private onExit(child: WorkerChild, code: number | null, signal: NodeJS.Signals | null): void {
    child.markServed(false);
    const index = this.children.indexOf(child);
    if (index >= 0) this.children.splice(index, 1);
    if (this.children.length === 0) process.off('exit', this.killOnExit);
    if (child.state === 'stopping' || child.retiring || this.closed) return;
    this.unexpectedExits++;
    const wasStarting = child.state === 'starting';
    child.state = 'stopping';
    this.logger.warn(
      { workerPid: child.pid, code, signal, output: child.tail.slice(-5) },
      wasStarting
        ? 'a livepipe worker process exited before serving; starting another after a pause'
        : 'a livepipe worker process died; replacing it',
    );
    if (wasStarting) {
      this.failedStartsInARow++;
      this.scheduleRestart();
    } else {
      this.reconcile();
    }
  }

  /** A process that cannot load the model would fail again at once: back off before the next try. */
  private scheduleRestart(): void {
    if (this.restartTimer !== undefined || this.closed) return;
    const delay = Math.min(MAX_RESTART_BACKOFF_MS, RESTART_BACKOFF_MS * 2 ** Math.max(0, this.failedStartsInARow - 1));
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.reconcile();
    }, delay);
    this.restartTimer.unref();
  }

  private startFailure(child: WorkerChild): LivepipeError {
    return new LivepipeError(
      'LP_WORKER_FAILED',
      `livepipe worker process ${child.pid} for queue ${this.options.queue} exited before serving ${this.options.manifestPath}; its last output:\n${child.tail.join('\n')}`,
    );
  }

  /** SIGTERM once loaded (the worker finishes its batch), SIGKILL if it has not exited in time. */
  private async stop(child: WorkerChild): Promise<void> {
    if (child.state === 'stopping') return child.exited;
    if (child.state === 'starting') {
      // Interrupting a model load would leave the worker half-started; stop it once it serves
      // (killed if the load never ends).
      child.retiring = true;
      const timer = setTimeout(() => {
        if (child.state === 'starting' && child.retiring) child.process.kill('SIGKILL');
      }, LOAD_BEFORE_STOP_TIMEOUT_MS + this.stopTimeoutMs);
      await child.exited;
      clearTimeout(timer);
      return;
    }
    child.state = 'stopping';
    child.retiring = false;
    child.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.logger.warn(
        { workerPid: child.pid },
        `livepipe worker process did not exit ${this.stopTimeoutMs} ms after SIGTERM; killing it`,
      );
      child.process.kill('SIGKILL');
    }, this.stopTimeoutMs);
    await child.exited;
    clearTimeout(timer);
  }
}
