// The one-line status printed every few seconds: throughput, per-stage p50/p99 against the
// budget, breaches, worker use and the model each pool runs. formatStatus is pure so the format is tested on its own.
import { STAGES, type Stage } from './stages.js';

export interface StageStatus {
  p50: number;
  p99: number;
  budgetMs: number;
  breaches: number;
  /** Observations behind the percentiles; 0 means the stage has not run yet. */
  samples: number;
}

/** One model pool and the model it runs, so a fallback model is visible in the status line. */
export interface PoolStatus {
  pool: string;
  /** The manifest's name and version (a pool named for one model may run another). */
  model: string;
  version: string | undefined;
  /** The model running is a fallback for the one the pipeline names. */
  fallback?: boolean;
  busy: number;
  workers: number;
}

export interface StatusSnapshot {
  inPerSec: number;
  outPerSec: number;
  droppedTotal: number;
  stages: Record<Stage, StageStatus>;
  breachesTotal: number;
  workersBusy: number;
  workers: number;
  /** Per pool; when given, the workers part names each pool's model. */
  pools?: readonly PoolStatus[];
}

export function formatStatus(snapshot: StatusSnapshot): string {
  const parts = [`in ${formatRate(snapshot.inPerSec)}/s out ${formatRate(snapshot.outPerSec)}/s`];
  for (const stage of STAGES) {
    const status = snapshot.stages[stage];
    if (status.samples === 0) continue;
    parts.push(`${stage} p50 ${formatMs(status.p50)} p99 ${formatMs(status.p99)}/${formatMs(status.budgetMs)}ms`);
  }
  const byStage = STAGES.filter((stage) => snapshot.stages[stage].breaches > 0).map(
    (stage) => `${stage} ${snapshot.stages[stage].breaches}`,
  );
  parts.push(`breaches ${snapshot.breachesTotal}${byStage.length > 0 ? ` (${byStage.join(', ')})` : ''}`);
  parts.push(`dropped ${snapshot.droppedTotal}`);
  const workers = `workers ${snapshot.workersBusy}/${snapshot.workers} busy`;
  parts.push(
    snapshot.pools === undefined || snapshot.pools.length === 0
      ? workers
      : `${workers}: ${formatPools(snapshot.pools)}`,
  );
  return parts.join(' | ');
}

function formatPools(pools: readonly PoolStatus[]): string {
  return pools
    .map(
      (p) =>
        `${p.pool} runs ${p.fallback === true ? 'FALLBACK ' : ''}${p.model}` +
        `${p.version === undefined ? '' : ` ${p.version}`} ${p.busy}/${p.workers}`,
    )
    .join(', ');
}

function formatRate(perSec: number): string {
  return perSec >= 100 ? Math.round(perSec).toString() : perSec.toFixed(1);
}

function formatMs(ms: number): string {
  if (Number.isNaN(ms)) return '-';
  if (ms < 1) return ms.toFixed(2);
  if (ms < 10) return ms.toFixed(1);
  return Math.round(ms).toString();
}
