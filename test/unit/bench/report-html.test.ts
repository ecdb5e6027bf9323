import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MachineInfo } from '../../../bench/harness/machine-info.js';
import { renderReport } from '../../../bench/harness/report-html.js';
import { buildSummary, writeResults } from '../../../bench/harness/result-writer.js';
import {
  QUICK_SETTINGS,
  skippedResult,
  summaryRow,
  type RunInfo,
  type ScenarioResult,
} from '../../../bench/harness/scenario.js';

const machine: MachineInfo = {
  cpuModel: 'Test CPU <x86>',
  cores: 2,
  memoryGiB: 8,
  platform: 'linux x64',
  osRelease: '6.1',
  node: 'v20.19.0',
  loadAverage: [0.5, 0.4, 0.3],
  packages: { ws: '8.0.0' },
  gitCommit: 'abc123',
  gitDirty: false,
};
const run: RunInfo = {
  startedAt: '2025-01-01T00:00:00.000Z',
  durationMs: 1234,
  machine,
  settings: QUICK_SETTINGS,
  command: 'bench --quick',
};

const e2e: ScenarioResult = {
  scenario: 'embedded-e2e',
  title: 'Embedded & e2e',
  status: 'ok',
  notes: ['a note'],
  rows: [
    summaryRow({
      scenario: 'embedded-e2e',
      variant: 'pipeline',
      unit: 'events/s',
      value: 6000,
      p99AtHalfMs: 12.5,
      baseline: 2000,
      ceiling: 24000,
    }),
  ],
  ratio: { toBaseline: 3, toCeiling: 0.25 },
  measures: [{ name: 'pipeline max', description: 'open loop', value: 6000, unit: 'events/s' }],
  budgetMs: 120,
  curves: [
    {
      label: 'pipeline',
      points: [
        { rate: 1000, p50Ms: 2, p90Ms: 4, p99Ms: 8, deliveredRatio: 1 },
        { rate: 8000, p50Ms: 90, p90Ms: 200, p99Ms: Infinity, deliveredRatio: 0.9 },
      ],
    },
  ],
  timeline: [
    { tMs: 0, offeredPerSec: 1000, deliveredPerSec: 990 },
    { tMs: 250, offeredPerSec: 2000, deliveredPerSec: 1900 },
  ],
  stages: { route: { p50Ms: 0.01, p99Ms: 0.05, budgetMs: 2 }, e2e: { p50Ms: 5, p99Ms: 20, budgetMs: 120 } },
  durationMs: 5000,
};
const skipped = skippedResult({ name: 'kafka-e2e', title: 'Kafka' }, ['Kafka is not reachable on 127.0.0.1:9092'], 10);

describe('report writer', () => {
  it('computes ratios to baseline and ceiling for a summary row', () => {
    expect(e2e.rows[0]).toMatchObject({ ratioToBaseline: 3, ratioToCeiling: 0.25 });
    expect(
      summaryRow({
        scenario: 's',
        variant: 'v',
        unit: 'u',
        value: 5,
        p99AtHalfMs: undefined,
        baseline: undefined,
        ceiling: 0,
      }),
    ).toMatchObject({ ratioToBaseline: undefined, ratioToCeiling: undefined });
  });

  it('renders valid HTML with the summary table, the SVG plots and skipped scenarios', () => {
    const html = renderReport(buildSummary(run, [e2e, skipped]), [e2e, skipped]);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    // Three plots for the e2e scenario: latency vs load, throughput over time, per-stage bars.
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html.match(/<\/svg>/g)).toHaveLength(3);
    expect(html).toContain('Latency vs offered load');
    expect(html).toContain('Throughput over time');
    expect(html).toContain('Per-stage latency');
    expect(html).toContain('<polyline');
    expect(html).toMatch(/<td>3\.00×<\/td><td>25 %<\/td>/);
    expect(html).toContain('Kafka is not reachable');
    // Text from results is escaped.
    expect(html).toContain('Test CPU &lt;x86&gt;');
    expect(html).toContain('Embedded &amp; e2e');
    expect(html).not.toContain('Test CPU <x86>');
    // Balanced tags for the structural elements.
    for (const tag of ['table', 'section', 'tr', 'svg', 'ul']) {
      expect((html.match(new RegExp(`<${tag}[ >]`, 'g')) ?? []).length).toBe(
        (html.match(new RegExp(`</${tag}>`, 'g')) ?? []).length,
      );
    }
  });

  it('writes one JSON per scenario, a summary and the report, with machine info in each', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'livepipe-bench-'));
    await writeResults(dir, run, [e2e, skipped]);
    expect((await readdir(dir)).sort()).toEqual(['embedded-e2e.json', 'kafka-e2e.json', 'report.html', 'summary.json']);
    const scenario = JSON.parse(await readFile(join(dir, 'embedded-e2e.json'), 'utf8')) as Record<string, unknown>;
    expect(scenario.machine).toMatchObject({ gitCommit: 'abc123', cores: 2 });
    expect(scenario.ratio).toEqual({ toBaseline: 3, toCeiling: 0.25 });
    // An unsustainable step's infinite p99 survives as text, not null.
    expect(JSON.stringify(scenario.curves)).toContain('"Infinity"');
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as {
      rows: unknown[];
      scenarios: Array<{ status: string }>;
    };
    expect(summary.rows).toHaveLength(1);
    expect(summary.scenarios.map((s) => s.status)).toEqual(['ok', 'skipped']);
  });
});
