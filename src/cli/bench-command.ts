// `livepipe bench`: runs the benchmark harness in bench/ (a development checkout; the published
// package does not ship it) in a child Node process with tsx, passing the options through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LivepipeError } from '../errors.js';

export interface BenchCommandOptions {
  quick?: boolean;
  full?: boolean;
  out?: string;
  scenario?: string[];
}

/** Resolves with the runner's exit code. */
export async function benchCommand(options: BenchCommandOptions): Promise<number> {
  if (options.quick && options.full) throw new LivepipeError('LP_CONFIG_INVALID', 'choose one of --quick and --full');
  // src/cli/ and dist/cli/ both sit two levels below the package root.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const runner = `${root}bench/run.ts`;
  if (!existsSync(runner)) {
    throw new LivepipeError('LP_CONFIG_NOT_FOUND', `the benchmarks are not part of this installation (${runner} is missing); run them from a livepipe git checkout with \`npm run bench\``);
  }
  const args = ['--import', 'tsx', runner, options.full ? '--full' : '--quick'];
  if (options.out !== undefined) args.push('--out', options.out);
  for (const name of options.scenario ?? []) args.push('--scenario', name);
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
