// The one-line status printed every few seconds: throughput, per-stage p50/p99 against the
// budget, breaches and worker use. formatStatus is pure so the format is tested on its own.
import { STAGES, type Stage } from './stages.js';

export interface StageStatus {
  p50: number;
  p99: number;
  budgetMs: number;
  breaches: number;
  /** Observations behind the percentiles; 0 means the stage has not run yet. */
  samples: number;
}

export interface StatusSnapshot {
  inPerSec: number;
  outPerSec: number;
  droppedTotal: number;
  stages: Record<Stage, StageStatus>;
  breachesTotal: number;
  workersBusy: number;
  workers: number;
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
  parts.push(`workers ${snapshot.workersBusy}/${snapshot.workers} busy`);
  return parts.join(' | ');
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
