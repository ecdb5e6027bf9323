// Open-loop load: events are scheduled at a fixed rate whatever the system does, and latency is
// measured from each event's *scheduled* send time, so a stalled system is charged for the events
// it delayed (no coordinated omission). The system reports deliveries back by sequence number.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import type { RateProbe } from './rate-search.js';

/** Wall clock with sub-millisecond resolution (epoch ms); comparable across processes on one host. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface OpenLoopSystem {
  /** Sends event `seq`, due at `scheduledAtMs` (epoch ms); its delivery is reported with delivered(seq). */
  send(seq: number, scheduledAtMs: number): void;
  /** Called after each scheduler tick's sends (a producer can send them as one batch). */
  flush?(): void;
}

export interface StepOptions {
  /** Offered events/s. */
  rate: number;
  durationMs: number;
  /** After the last send, how long deliveries still count for this step (use the e2e budget). */
  graceMs: number;
  /** Afterwards, wait at most this long for the backlog to clear before the next step. */
  drainMs?: number;
}

export interface StepResult extends RateProbe {
  durationMs: number;
  deliveredRate: number;
  latency: LatencySummary;
  /** Largest delay between an event's scheduled time and its actual send (scheduler lag), ms. */
  maxSendLagMs: number;
  /** Whether the backlog had cleared before the next step. */
  drained: boolean;
}

export interface TimelineBin {
  /** Bin start, ms since the driver was created. */
  tMs: number;
  offeredPerSec: number;
  deliveredPerSec: number;
}

interface ActiveStep {
  firstSeq: number;
  count: number;
  startMs: number;
  intervalMs: number;
  open: boolean;
  histogram: LatencyHistogram;
  delivered: number;
}

export class OpenLoopDriver {
  private readonly system: OpenLoopSystem;
  private readonly createdAt = preciseNow();
  private readonly binMs: number;
  private readonly offeredBins: number[] = [];
  private readonly deliveredBins: number[] = [];
  private nextSeq = 0;
  private sentTotal = 0;
  private deliveredTotal = 0;
  private step: ActiveStep | undefined;

  constructor(system: OpenLoopSystem, options: { timelineBinMs?: number } = {}) {
    this.system = system;
    this.binMs = options.timelineBinMs ?? 250;
  }

  /** Reports that event `seq` reached the measuring client at `atMs` (default: now). */
  delivered(seq: number, atMs = preciseNow()): void {
    this.deliveredTotal++;
    this.bump(this.deliveredBins, atMs);
    const step = this.step;
    if (step === undefined || !step.open) return;
    const index = seq - step.firstSeq;
    if (index < 0 || index >= step.count) return;
    step.delivered++;
    step.histogram.record(atMs - (step.startMs + index * step.intervalMs));
  }

  /** Events sent and not yet delivered, over every step so far. */
  get outstanding(): number {
    return this.sentTotal - this.deliveredTotal;
  }

  async runStep(options: StepOptions): Promise<StepResult> {
    const count = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
    const intervalMs = 1000 / options.rate;
    const step: ActiveStep = {
      firstSeq: this.nextSeq,
      count,
      startMs: preciseNow() + 1,
      intervalMs,
      open: true,
      histogram: new LatencyHistogram(),
      delivered: 0,
    };
    this.nextSeq += count;
    this.step = step;
    let sent = 0;
    let maxSendLagMs = 0;
    while (sent < count) {
      const now = preciseNow();
      const due = Math.min(count, Math.floor((now - step.startMs) / intervalMs) + 1);
      if (due > sent) {
        const lag = now - (step.startMs + sent * intervalMs);
        if (lag > maxSendLagMs) maxSendLagMs = lag;
        const batch = due - sent;
        for (; sent < due; sent++) this.system.send(step.firstSeq + sent, step.startMs + sent * intervalMs);
        this.sentTotal += batch;
        this.bump(this.offeredBins, now, batch);
        this.system.flush?.();
      }
      if (sent < count) await sleep(1);
    }
    const windowEnd = step.startMs + count * intervalMs + options.graceMs;
    while (step.delivered < count && preciseNow() < windowEnd) await sleep(2);
    step.open = false;
    const histogram = step.histogram;
    const rank = Math.ceil(0.99 * count);
    const p99Ms = rank > step.delivered ? Infinity : histogram.valueAtRank(rank);
    const drained = await this.drain(options.drainMs ?? 3000);
    const durationMs = count * intervalMs;
    return {
      rate: options.rate,
      offered: count,
      delivered: step.delivered,
      p99Ms,
      durationMs,
      deliveredRate: (step.delivered / durationMs) * 1000,
      latency: histogram.summary(),
      maxSendLagMs: Math.round(maxSendLagMs * 1000) / 1000,
      drained,
    };
  }

  /** Waits for the backlog to clear: until nothing is outstanding, no progress for 500 ms, or maxMs. */
  async drain(maxMs: number): Promise<boolean> {
    const until = preciseNow() + maxMs;
    let last = this.deliveredTotal;
    let lastProgress = preciseNow();
    while (this.outstanding > 0) {
      const now = preciseNow();
      if (now >= until) return false;
      if (this.deliveredTotal !== last) {
        last = this.deliveredTotal;
        lastProgress = now;
      } else if (now - lastProgress > 500) {
        return false;
      }
      await sleep(5);
    }
    return true;
  }

  /** Offered and delivered rate per bin since the driver was created (throughput over time). */
  timeline(): TimelineBin[] {
    const bins: TimelineBin[] = [];
    const length = Math.max(this.offeredBins.length, this.deliveredBins.length);
    const perSec = 1000 / this.binMs;
    for (let i = 0; i < length; i++) {
      bins.push({
        tMs: i * this.binMs,
        offeredPerSec: (this.offeredBins[i] ?? 0) * perSec,
        deliveredPerSec: (this.deliveredBins[i] ?? 0) * perSec,
      });
    }
    return bins;
  }

  private bump(bins: number[], atMs: number, by = 1): void {
    const index = Math.max(0, Math.floor((atMs - this.createdAt) / this.binMs));
    while (bins.length <= index) bins.push(0);
    bins[index] = (bins[index] as number) + by;
  }
}
