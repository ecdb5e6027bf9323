// The built CLI as a user runs it: user errors give one clear message and a non-zero exit, never
// a stack trace. Runs dist/ (npm test builds it first).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const DEMO = join(ROOT, 'pipelines/live-interaction.yaml');
const FIXTURES = join(ROOT, 'test/fixtures/pipelines');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

function expectUserError(run: Run, ...fragments: string[]): void {
  expect(run.code, run.stderr).toBe(1);
  for (const fragment of fragments) expect(run.stderr).toContain(fragment);
  expect(run.stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
}

describe('livepipe CLI', () => {
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first)`);
    dir = await mkdtemp(join(tmpdir(), 'livepipe-cli-'));
    const manifest = await readFile(join(ROOT, 'models/chat-sentiment-mlp.yaml'), 'utf8');
    const demo = await readFile(DEMO, 'utf8');
    // Both pools (English and Chinese) get the broken manifest, so the copy names no file beside it.
    const withManifest = (name: string) => demo.replace(/\.\.\/models\/chat-sentiment(-zh)?\.yaml/g, `./${name}.yaml`);
    // A manifest whose .onnx does not exist, and one whose .onnx is not an ONNX model.
    await writeFile(join(dir, 'missing.yaml'), manifest.replace(/^file: .*$/m, 'file: nowhere.onnx'));
    await writeFile(
      join(dir, 'garbage.yaml'),
      manifest.replace(/^file: .*$/m, 'file: garbage.onnx').replace(/^sha256: .*\n/m, ''),
    );
    await writeFile(join(dir, 'garbage.onnx'), 'this is not a protobuf model\n');
    await writeFile(join(dir, 'missing-model.yaml'), withManifest('missing'));
    await writeFile(join(dir, 'garbage-model.yaml'), withManifest('garbage'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('validates the demo pipeline', async () => {
    const run = await cli('validate', DEMO);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('live-interaction');
  });

  it('rejects a malformed pipeline file with file:line and no stack', async () => {
    const file = join(FIXTURES, 'bad-yaml-syntax.yaml');
    expectUserError(await cli('run', file), `${file}:`, 'LP_CONFIG_INVALID');
    expectUserError(await cli('validate', file), `${file}:`);
  });

  it('rejects distributed.localWorkers without autoscale in validate, as run would', async () => {
    const file = join(FIXTURES, 'bad-local-workers-without-autoscale.yaml');
    expectUserError(
      await cli('validate', file),
      `${file}:14:21`,
      'models[0].distributed.localWorkers',
      'needs autoscale.enabled: true',
    );
  });

  it('rejects an invalid CEL expression at load', async () => {
    const file = join(FIXTURES, 'bad-invalid-cel.yaml');
    expectUserError(await cli('run', file), `${file}:`, 'cel');
  });

  it('fails to start when the model file is missing, naming the file', async () => {
    expectUserError(
      await cli('run', join(dir, 'missing-model.yaml'), '--port', '0'),
      'LP_MODEL_NOT_FOUND',
      'nowhere.onnx',
    );
  });

  it('fails to start when the model file is not ONNX, naming the file', async () => {
    expectUserError(
      await cli('run', join(dir, 'garbage-model.yaml'), '--port', '0'),
      'LP_MODEL_INVALID',
      'garbage.onnx',
    );
  });

  it('fails validate, as run fails, when the model file is missing or not ONNX', async () => {
    const demoLines = (await readFile(DEMO, 'utf8')).split('\n');
    const line = demoLines.findIndex((text) => text.includes('manifest: ../models/chat-sentiment.yaml')) + 1;
    const missing = join(dir, 'missing-model.yaml');
    expectUserError(
      await cli('validate', missing),
      `${missing}:${line}:15  models[0].manifest`,
      'nowhere.onnx',
      'npm run models:build',
    );
    const garbage = join(dir, 'garbage-model.yaml');
    expectUserError(await cli('validate', garbage), `${garbage}:${line}:15  models[0].manifest`, 'garbage.onnx');
  });

  it('runs the demo pipeline and prints where to look', async () => {
    const run = await cli('run', DEMO, '--port', '0', '--for', '3s');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/overlay\s+stream-1\s+http:\/\/127\.0\.0\.1:\d+\/overlay\/stream-1/);
    expect(run.stdout).toMatch(/metrics\s+http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(run.stdout).toMatch(/in [\d.]+\/s out [\d.]+\/s .*infer p50/);
  });
});
