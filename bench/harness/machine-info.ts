// Where a result was measured: CPU, cores, memory, OS and Node versions, the versions of the
// libraries that bound the numbers, and the git commit — stored in every result file.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  osRelease: string;
  node: string;
  /** 1/5/15-minute load averages when the run started: other work on the machine skews every number. */
  loadAverage: number[];
  packages: Record<string, string | null>;
  gitCommit: string | null;
  gitDirty: boolean | null;
}

const MEASURED_PACKAGES = [
  'onnxruntime-node',
  'kafkajs',
  'ws',
  'rocketmq-client-nodejs',
  '@bufbuild/cel',
  'prom-client',
];

export function collectMachineInfo(repoRoot: string): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.arch()}`,
    osRelease: os.release(),
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    packages: Object.fromEntries(MEASURED_PACKAGES.map((name) => [name, packageVersion(repoRoot, name)])),
    gitCommit: git(repoRoot, ['rev-parse', 'HEAD']),
    gitDirty: (() => {
      const status = git(repoRoot, ['status', '--porcelain', '--untracked-files=no']);
      return status === null ? null : status.length > 0;
    })(),
  };
}

function packageVersion(repoRoot: string, name: string): string | null {
  try {
    const require = createRequire(`${repoRoot}/package.json`);
    const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: string };
    return manifest.version ?? null;
  } catch {
    // Packages whose exports hide package.json: find it next to the entry point.
    try {
      const require = createRequire(`${repoRoot}/package.json`);
      let dir = require.resolve(name);
      for (let i = 0; i < 6; i++) {
        dir = dir.slice(0, dir.lastIndexOf('/'));
        const manifest = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name?: string; version?: string };
        if (manifest.name === name) return manifest.version ?? null;
      }
    } catch {
      return null;
    }
    return null;
  }
}

/** Read-only git queries; null when git or the repository is unavailable (a tarball install). */
function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
