// Output of the stand-alone micro-benchmarks (decode, filters, pool): printed as JSON and saved
// beside the harness's results, stamped with the same machine info and git commit.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectMachineInfo } from './machine-info.js';
import { toJson } from './result-writer.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Prints `data` and writes bench/results/micro/<name>-<timestamp>.json (or into `dir`); returns the path. */
export async function saveMicroBenchmark(
  name: string,
  data: unknown,
  dir = join(REPO_ROOT, 'bench', 'results', 'micro'),
): Promise<string> {
  const startedAt = new Date().toISOString();
  const record = { benchmark: name, startedAt, machine: collectMachineInfo(REPO_ROOT), results: data };
  console.log(toJson(data));
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}-${startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(path, `${toJson(record)}\n`);
  console.error(`saved ${path}`);
  return path;
}
