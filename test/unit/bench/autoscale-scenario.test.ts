import { describe, expect, it } from 'vitest';
import { surgeCharts, surgeSvg } from '../../../bench/scenarios/surge-charts.js';
import { offeredRate, surgePlan } from '../../../bench/scenarios/surge-plan.js';
import type { SurgeMedian, SurgeRun } from '../../../bench/scenarios/surge-replay.js';
import { renderReport } from '../../../bench/harness/report-html.js';
import { buildSummary } from '../../../bench/harness/result-writer.js';
import { QUICK_SETTINGS, type RunInfo, type ScenarioResult } from '../../../bench/harness/scenario.js';
import { autoscaleRows } from '../../../bench/scenarios/autoscale.js';

function median(mode: SurgeMedian['mode'], values: Partial<SurgeMedian>): SurgeMedian {
  return {
    mode,
    runs: 1,
    budgetBreachPercent: 1,
    p99E2eMs: 100,
    workerSeconds: 20,
    timeToScaleUpMs: 500,
    timeToZeroMs: 9000,
    meanColdStartMs: 600,
    ...values,
  };
}

describe('surge load shape', () => {
  const plan = surgePlan({ quick: true, baseRate: 1000, factor: 10, maxWorkers: 2 });
  const { steadyMs, surgeMs, decayTauMs } = plan.phases;

  it('offers the base rate before the surge and nothing once it has passed', () => {
    expect(offeredRate(plan, 0)).toBe(1000);
    expect(offeredRate(plan, steadyMs - 1)).toBe(1000);
    expect(offeredRate(plan, steadyMs + surgeMs)).toBe(0);
    expect(offeredRate(plan, steadyMs + surgeMs + plan.phases.idleMs - 1)).toBe(0);
  });

  it('climbs to factor × base within one second, then decays with the time constant', () => {
    expect(offeredRate(plan, steadyMs + 500)).toBeCloseTo(5500);
    expect(offeredRate(plan, steadyMs + 1000)).toBeCloseTo(10_000);
    expect(offeredRate(plan, steadyMs + 1000 + decayTauMs)).toBeCloseTo(1000 * (1 + 9 / Math.E));
  });

  it('shrinks phases and idles long enough to reach zero in quick mode', () => {
    const full = surgePlan({ quick: false, maxWorkers: 2 });
    expect(full.phases.steadyMs).toBeGreaterThan(plan.phases.steadyMs);
    // Idle outlasts the (scaled) stable window plus the scale-to-zero grace period.
    expect(plan.phases.idleMs).toBeGreaterThan((60_000 + 30_000) * plan.timeScale);
  });

  it('rejects a surge factor below 1', () => {
    expect(() => surgePlan({ quick: true, factor: 0.5 })).toThrow(/factor/);
  });
});

describe('autoscale scenario rows', () => {
  it('reports livepipe against pure KPA as the baseline for every figure, with ratios', () => {
    const { rows, notes } = autoscaleRows(
      median('livepipe', {
        budgetBreachPercent: 0.5,
        p99E2eMs: 80,
        workerSeconds: 30,
        timeToScaleUpMs: 250,
        timeToZeroMs: 9000,
      }),
      median('pure-kpa', {
        budgetBreachPercent: 2,
        p99E2eMs: 160,
        workerSeconds: 20,
        timeToScaleUpMs: 1000,
        timeToZeroMs: 9000,
      }),
    );
    expect(notes).toEqual([]);
    expect(rows.map((r) => [r.unit, r.value, r.baseline, r.ratioToBaseline])).toEqual([
      ['%', 0.5, 2, 0.25],
      ['ms', 80, 160, 0.5],
      ['worker-s', 30, 20, 1.5],
      ['ms', 250, 1000, 0.25],
      ['ms', 9000, 9000, 1],
    ]);
    expect(rows.every((r) => r.scenario === 'autoscale' && r.ceiling === undefined)).toBe(true);
  });

  it('drops a figure livepipe never reached and keeps one only pure KPA missed, without a ratio', () => {
    const { rows, notes } = autoscaleRows(
      median('livepipe', { timeToScaleUpMs: null }),
      median('pure-kpa', { timeToZeroMs: null }),
    );
    expect(rows.some((r) => r.variant.includes('second worker'))).toBe(false);
    const zero = rows.find((r) => r.variant.includes('zero workers'));
    expect(zero).toMatchObject({ value: 9000, baseline: undefined, ratioToBaseline: undefined });
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^livepipe: .*second worker.*pure KPA: 500 ms/);
    expect(notes[1]).toMatch(/^pure KPA: .*zero workers/);
  });
});

describe('surge charts', () => {
  it('draws workers and p99 over time for the first run of each mode', () => {
    const plan = surgePlan({ quick: true, maxWorkers: 2 });
    const bins = [
      { t: 0.25, offered: 1000, workers: 1, starting: 0, desired: 1, queued: 0, p99Ms: 4, breaches: 0, answered: 250 },
      {
        t: 0.5,
        offered: 0,
        workers: 0,
        starting: 0,
        desired: 0,
        queued: 0,
        p99Ms: Number.NaN,
        breaches: 0,
        answered: 0,
      },
    ];
    const run = (mode: SurgeRun['mode']): SurgeRun => ({
      mode,
      events: 250,
      budgetBreaches: 0,
      budgetBreachPercent: 0,
      p50E2eMs: 2,
      p99E2eMs: 4,
      maxE2eMs: 5,
      workerSeconds: 1,
      timeToScaleUpMs: null,
      timeToZeroMs: 250,
      maxWorkersSeen: 1,
      coldStarts: 1,
      meanColdStartMs: 500,
      late: 0,
      decisionsByReason: {},
      batchTime: { perItemMs: 0, fixedMs: 0, batches: 0 },
      bins,
    });
    const result = {
      plan,
      runs: [run('livepipe'), run('pure-kpa'), run('livepipe')],
      medians: { livepipe: median('livepipe', {}), 'pure-kpa': median('pure-kpa', {}) },
    };
    const charts = surgeCharts(result);
    expect(charts.map((c) => c.title)).toEqual([
      'livepipe: workers',
      'livepipe: p99 e2e per 250 ms',
      'pure-kpa: workers',
      'pure-kpa: p99 e2e per 250 ms',
    ]);
    // Bins with no answers have no p99 to draw.
    expect(charts[1]?.series[0]?.points).toEqual([{ x: 0.25, y: 4 }]);
    const svg = surgeSvg(result);
    expect(svg.match(/<svg/g)).toHaveLength(5);
    expect(svg).toContain('height="600"');
  });
});

describe('report with scenario charts', () => {
  it("draws a scenario's own line charts in its section", () => {
    const run: RunInfo = {
      startedAt: '2025-01-01T00:00:00.000Z',
      durationMs: 1,
      settings: QUICK_SETTINGS,
      command: 'bench autoscale',
      machine: {
        cpuModel: 'cpu',
        cores: 2,
        memoryGiB: 8,
        platform: 'linux x64',
        osRelease: '6',
        node: 'v20',
        loadAverage: [0, 0, 0],
        packages: {},
        gitCommit: null,
        gitDirty: false,
      },
    };
    const result: ScenarioResult = {
      scenario: 'autoscale',
      title: 'Autoscaling',
      status: 'ok',
      notes: [],
      rows: [],
      ratio: { toBaseline: null, toCeiling: null },
      measures: [],
      curves: [],
      charts: [
        {
          title: 'livepipe: workers over the surge',
          xLabel: 's',
          yLabel: 'workers',
          series: [
            {
              label: 'ready',
              points: [
                { x: 0, y: 1 },
                { x: 1, y: 2 },
              ],
            },
          ],
        },
      ],
      durationMs: 1,
    };
    const section = renderReport(buildSummary(run, [result]), [result]).split('<section id="autoscale">')[1] ?? '';
    expect(section).toContain('livepipe: workers over the surge');
    expect(section.match(/<svg/g)).toHaveLength(1);
  });
});
