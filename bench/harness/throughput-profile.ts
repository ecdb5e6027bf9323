// One system's open-loop profile: warm up, search the max sustainable rate, then measure latency
// at fixed fractions of it (25/50/75/100 % in quick runs), with the pipeline's per-stage numbers.
import type { OpenLoopDriver, StepResult } from './open-loop.js';
import type { Progress } from './progress.js';
import { searchMaxSustainableRate } from './rate-search.js';
import type { BenchSettings, LatencyCurve, LoadPoint, StageLatency, ThroughputProfile } from './scenario.js';

export interface ProfileOptions {
  label: string;
  settings: BenchSettings;
  progress: Progress;
  budgetMs: number;
  startRate: number;
  maxRate: number;
  warmupRate?: number;
  /** Drain wait between steps, ms (default 3000). */
  drainMs?: number;
  /** Called right after each load point's step: the system's own per-stage latency over it. */
  stagesAfterStep?: () => Record<string, StageLatency>;
  /** Called before each load point (e.g. to clear per-stage windows). */
  beforeStep?: () => void;
}

export async function profileThroughput(driver: OpenLoopDriver, options: ProfileOptions): Promise<ThroughputProfile> {
  const { settings, progress } = options;
  const graceMs = options.budgetMs;
  const drainMs = options.drainMs ?? 3000;
  const step = (rate: number, durationMs = settings.stepMs): Promise<StepResult> =>
    driver.runStep({ rate, durationMs, graceMs, drainMs });

  if (options.warmupRate !== undefined) {
    progress.step(`${options.label}: warm-up at ${Math.round(options.warmupRate)}/s`);
    await step(options.warmupRate, Math.min(1000, settings.stepMs));
  }
  const search = await searchMaxSustainableRate((rate) => step(rate), {
    startRate: options.startRate,
    maxRate: options.maxRate,
    budgetMs: options.budgetMs,
    maxProbes: settings.maxProbes,
    relativePrecision: settings.relativePrecision,
    onProbe: (p) =>
      progress.step(
        `${options.label}: ${Math.round(p.rate)}/s → p99 ${Number.isFinite(p.p99Ms) ? p.p99Ms.toFixed(1) : '∞'} ms, ` +
          `${((p.delivered / p.offered) * 100).toFixed(1)} % delivered ${p.sustainable ? 'ok' : 'over'}`,
      ),
  });
  const loadPoints: LoadPoint[] = [];
  if (search.maxRate > 0) {
    for (const fraction of settings.loadFractions) {
      const rate = search.maxRate * fraction;
      options.beforeStep?.();
      const result = await step(rate);
      progress.step(
        `${options.label}: ${Math.round(fraction * 100)} % = ${Math.round(rate)}/s → p99 ${Number.isFinite(result.p99Ms) ? result.p99Ms.toFixed(1) : '∞'} ms`,
      );
      const point: LoadPoint = { fraction, step: result };
      if (options.stagesAfterStep) point.stages = options.stagesAfterStep();
      loadPoints.push(point);
    }
  }
  return { search, loadPoints };
}

/** The load point nearest 50 % of the max sustainable rate. */
function pointAtHalf(profile: ThroughputProfile): LoadPoint | undefined {
  let best: LoadPoint | undefined;
  for (const point of profile.loadPoints)
    if (!best || Math.abs(point.fraction - 0.5) < Math.abs(best.fraction - 0.5)) best = point;
  return best;
}

/** p99 at the load point nearest 50 % of the max sustainable rate. */
export function p99AtHalf(profile: ThroughputProfile): number | undefined {
  return pointAtHalf(profile)?.step.p99Ms;
}

export function stagesAtHalf(profile: ThroughputProfile): Record<string, StageLatency> | undefined {
  return pointAtHalf(profile)?.stages;
}

/** Latency vs offered load from every probe and load point of a profile. */
export function curveOf(label: string, profile: ThroughputProfile): LatencyCurve {
  const steps: StepResult[] = [...profile.search.probes, ...profile.loadPoints.map((l) => l.step)];
  const points = steps.map((s) => ({
    rate: s.rate,
    p50Ms: s.latency.p50Ms,
    p90Ms: s.latency.p90Ms,
    p99Ms: s.p99Ms,
    deliveredRatio: s.delivered / s.offered,
  }));
  return { label, points: points.sort((a, b) => a.rate - b.rate) };
}

/** What bounds a profile's max rate, in words, when it is not a clean knee. */
export function searchNotes(label: string, profile: ThroughputProfile): string[] {
  const { search } = profile;
  const percent = (p: { delivered: number; offered: number }) => `${((p.delivered / p.offered) * 100).toFixed(0)} %`;
  switch (search.maxRate === 0 && search.probes.length > 0 ? 'min-rate' : search.limitedBy) {
    case 'max-rate':
      return [
        `${label}: the search reached its rate cap (${search.maxRate}/s) still sustainable; the true limit is higher.`,
      ];
    case 'probe-limit':
      return [
        `${label}: the search stopped at its probe limit; the knee lies between ${search.maxRate}/s and ${search.firstFailingRate ?? '∞'}/s.`,
      ];
    case 'min-rate': {
      const best = search.probes.reduce((a, b) => (b.delivered / b.offered > a.delivered / a.offered ? b : a));
      return [
        `${label}: no offered rate down to ${Math.round(search.probes[search.probes.length - 1]?.rate ?? 0)}/s was sustainable; ` +
          `the best step delivered ${percent(best)} at ${Math.round(best.rate)}/s (p99 ${Number.isFinite(best.p99Ms) ? `${best.p99Ms.toFixed(0)} ms` : 'beyond the step'}). Deliveries stalled rather than queued.`,
      ];
    }
    default:
      return [];
  }
}
