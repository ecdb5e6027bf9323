// `livepipe bench [scenario...]`: runs the benchmark harness in bench/ (a development checkout; the
// published package does not ship it) in a child Node process with tsx, passing the options through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { LivepipeError } from '../errors.js';

export interface BenchCommandOptions {
  quick?: boolean;
  full?: boolean;
  out?: string;
  /** Scenario names to run (from --scenario and from positional names alike); all when empty. */
  scenario?: string[];
}

/** Resolves with the runner's exit code. */
export async function benchCommand(options: BenchCommandOptions): Promise<number> {
  if (options.quick && options.full) throw new LivepipeError('LP_CONFIG_INVALID', 'choose one of --quick and --full');
  // src/cli/ and dist/cli/ both sit two levels below the package root.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const runner = `${root}bench/run.ts`;
  if (!existsSync(runner)) {
    throw new LivepipeError(
      'LP_CONFIG_NOT_FOUND',
      `the benchmarks are not part of this installation (${runner} is missing); run them from a livepipe git checkout with \`npm run bench\``,
    );
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

/** Adds `bench [scenario...]` to the program: `livepipe bench autoscale` is `livepipe bench --scenario autoscale`. */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run the benchmarks (open-loop, baselines and ceilings in the same run) and write JSON + report.html')
    .argument('[scenarios...]', 'only these scenarios, as with --scenario')
    .option('--quick', 'short run, under 3 minutes on 2 cores (default; autoscale runs only when named)')
    .option('--full', 'the complete set: longer steps, more rates, 10k fan-out clients, the autoscale replay')
    .option('--out <dir>', 'results folder (default bench/results/<timestamp>/)')
    .option(
      '--scenario <name...>',
      'only these scenarios (embedded-e2e, kafka-e2e, rocketmq-e2e, router, overlay-fanout, autoscale)',
    )
    .action(async (scenarios: string[], options: BenchCommandOptions) => {
      process.exitCode = await benchCommand({ ...options, scenario: [...(options.scenario ?? []), ...scenarios] });
    });
}
