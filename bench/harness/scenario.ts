// The shapes shared by every benchmark scenario: its settings (quick or full), what it reports
// (headline, baseline and ceiling measured in the same run, ratios, curves for the report), and the
// run summary that the result writer and the HTML report both read.
import type { MachineInfo } from './machine-info.js';
import type { Progress } from './progress.js';
import type { StepResult, TimelineBin } from './open-loop.js';
import type { RateSearchResult } from './rate-search.js';
import type { LineChartOptions } from './svg-chart.js';

export type BenchMode = 'quick' | 'full';

export interface BenchSettings {
  mode: BenchMode;
  /** Length of one rate-search step, ms. */
  stepMs: number;
  /** Most probes of one max-throughput search. */
  maxProbes: number;
  /** Stop bisecting at this relative gap between sustainable and not. */
  relativePrecision: number;
  /** Fractions of the max sustainable rate at which latency is measured. */
  loadFractions: number[];
  /** Time for closed-loop throughput measurements (ceilings, router), ms. */
  measureMs: number;
  /** Overlay fan-out clients. */
  fanoutClients: number;
}

export const QUICK_SETTINGS: BenchSettings = {
  mode: 'quick',
  stepMs: 1000,
  maxProbes: 8,
  relativePrecision: 0.15,
  loadFractions: [0.25, 0.5, 0.75, 1],
  measureMs: 1000,
  fanoutClients: 1000,
};

export const FULL_SETTINGS: BenchSettings = {
  mode: 'full',
  stepMs: 4000,
  maxProbes: 16,
  relativePrecision: 0.05,
  loadFractions: [0.1, 0.25, 0.5, 0.75, 0.9, 1],
  measureMs: 3000,
  fanoutClients: 10_000,
};

export interface ScenarioContext {
  settings: BenchSettings;
  progress: Progress;
}

export interface Scenario {
  name: string;
  title: string;
  /** Why a whole-suite --quick run leaves this scenario out (it still runs when named, and with --full). */
  notInQuick?: string;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}

/** One measured number with what it is. */
export interface Measure {
  name: string;
  description: string;
  value: number;
  unit: string;
}

/** One line of the summary table. */
export interface SummaryRow {
  scenario: string;
  variant: string;
  unit: string;
  /** Max sustainable rate (open-loop) or throughput (closed-loop) of the system under test. */
  value: number;
  /** p99 latency at 50 % of the max sustainable rate, where measured. */
  p99AtHalfMs: number | undefined;
  baseline: number | undefined;
  ceiling: number | undefined;
  ratioToBaseline: number | undefined;
  ratioToCeiling: number | undefined;
}

export interface CurvePoint {
  rate: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  deliveredRatio: number;
}

/** Latency against offered load for one system (the scenario's, its baseline's). */
export interface LatencyCurve {
  label: string;
  points: CurvePoint[];
}

export interface StageLatency {
  p50Ms: number;
  p99Ms: number;
  budgetMs: number;
}

export interface LoadPoint {
  fraction: number;
  step: StepResult;
  /** The pipeline's own per-stage percentiles over this step, where the system is a pipeline. */
  stages?: Record<string, StageLatency>;
}

export interface ThroughputProfile {
  search: RateSearchResult<StepResult>;
  loadPoints: LoadPoint[];
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why skipped, what limits a number, what was capped. */
  notes: string[];
  rows: SummaryRow[];
  /** The first row's ratios, for a quick look. */
  ratio: { toBaseline: number | null; toCeiling: number | null };
  measures: Measure[];
  budgetMs?: number;
  curves: LatencyCurve[];
  timeline?: TimelineBin[];
  stages?: Record<string, StageLatency>;
  profiles?: Record<string, ThroughputProfile>;
  /** Line charts of the scenario's own (e.g. workers and latency over a replay), drawn in the report as given. */
  charts?: LineChartOptions[];
  details?: Record<string, unknown>;
  durationMs: number;
}

/** What a whole run records beside its results: when, where, with which settings and command. */
export interface RunInfo {
  startedAt: string;
  durationMs: number;
  machine: MachineInfo;
  settings: BenchSettings;
  command: string;
}

/** summary.json: the run, each scenario's status and file, and every summary row. */
export interface BenchSummary extends RunInfo {
  scenarios: Array<{
    scenario: string;
    title: string;
    status: ScenarioResult['status'];
    notes: string[];
    file: string;
  }>;
  rows: SummaryRow[];
}

export function ratioOf(value: number | undefined, reference: number | undefined): number | undefined {
  if (value === undefined || reference === undefined || !(reference > 0) || !Number.isFinite(value)) return undefined;
  return Math.round((value / reference) * 1000) / 1000;
}

export function summaryRow(row: Omit<SummaryRow, 'ratioToBaseline' | 'ratioToCeiling'>): SummaryRow {
  return { ...row, ratioToBaseline: ratioOf(row.value, row.baseline), ratioToCeiling: ratioOf(row.value, row.ceiling) };
}

/** A result for a scenario that could not run here, with the reason. */
export function skippedResult(
  scenario: Pick<Scenario, 'name' | 'title'>,
  notes: string[],
  durationMs: number,
): ScenarioResult {
  return {
    scenario: scenario.name,
    title: scenario.title,
    status: 'skipped',
    notes,
    rows: [],
    ratio: { toBaseline: null, toCeiling: null },
    measures: [],
    curves: [],
    durationMs,
  };
}
