// Writes a run's results: one JSON file per scenario and a summary, each stamped with the
// machine, the settings and the git commit, plus report.html. Micro-benchmarks use it too.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReport } from './report-html.js';
import type { BenchSummary, RunInfo, ScenarioResult } from './scenario.js';

export function scenarioFileName(scenario: string): string {
  return `${scenario.replace(/[^a-z0-9-]+/gi, '-')}.json`;
}

export function buildSummary(run: RunInfo, results: ScenarioResult[]): BenchSummary {
  return {
    ...run,
    scenarios: results.map((r) => ({
      scenario: r.scenario,
      title: r.title,
      status: r.status,
      notes: r.notes,
      file: scenarioFileName(r.scenario),
    })),
    rows: results.flatMap((r) => r.rows),
  };
}

/** Writes <dir>/<scenario>.json for each result, <dir>/summary.json and <dir>/report.html; returns the paths. */
export async function writeResults(dir: string, run: RunInfo, results: ScenarioResult[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const result of results) {
    const path = join(dir, scenarioFileName(result.scenario));
    await writeFile(
      path,
      `${toJson({ ...result, machine: run.machine, settings: run.settings, startedAt: run.startedAt })}\n`,
    );
    written.push(path);
  }
  const summary = buildSummary(run, results);
  const summaryPath = join(dir, 'summary.json');
  await writeFile(summaryPath, `${toJson(summary)}\n`);
  written.push(summaryPath);
  const reportPath = join(dir, 'report.html');
  await writeFile(reportPath, renderReport(summary, results));
  written.push(reportPath);
  return written;
}

/** JSON that keeps Infinity/NaN visible as strings instead of turning them into null. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}
