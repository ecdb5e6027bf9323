import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../../src/cli/validate-command.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(files: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await validateCommand(files, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('validateCommand', () => {
  it('prints a summary line and exits 0 for a valid pipeline', async () => {
    const result = await run(['pipelines/live-interaction.yaml']);
    expect(result).toEqual({
      code: 0,
      stdout: '✓ pipelines/live-interaction.yaml: pipeline "live-interaction" — 1 source, 5 triggers, 2 models\n',
      stderr: '',
    });
  });

  it('prints one file:line:col line per problem and exits 1', async () => {
    const file = 'test/fixtures/pipelines/bad-many-errors.yaml';
    const result = await run([file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `${file}:3:7  kind  expected "Pipeline", got "Pipelines"`,
      `${file}:9:16  sources[0].generator.streams  must be >= 1, got 0`,
      `${file}:14:9  overlay.port  must be <= 65535, got 99999`,
    ]);
  });

  it('checks every file and fails if any one is invalid', async () => {
    const result = await run(['test/fixtures/pipelines/good-minimal.yaml', 'test/fixtures/pipelines/absent.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✓ test/fixtures/pipelines/good-minimal.yaml: pipeline "minimal" — 1 source, 3 triggers, 1 model',
    );
    expect(result.stderr).toContain('test/fixtures/pipelines/absent.yaml  pipeline file not found');
  });

  describe('loads each model as run would, and says where and how to fix it', () => {
    let dir: string;
    const previousModelsDir = process.env.LIVEPIPE_MODELS_DIR;

    /** A pipeline in `dir` whose one model uses `manifest`; the manifest field is on line 10. */
    async function pipelineWith(name: string, manifest: string): Promise<string> {
      const file = join(dir, `pipeline-${name}.yaml`);
      await writeFile(
        file,
        [
          'apiVersion: livepipe/v1',
          'kind: Pipeline',
          'metadata:',
          `  name: ${name}`,
          'sources:',
          '  - name: streams',
          '    generator: { rate: 10 }',
          'models:',
          '  - name: scorer',
          `    manifest: ${manifest}`,
          'triggers:',
          '  - name: comments',
          '    filters: [{ exact: { type: live.comment } }]',
          '    subscriber: { model: scorer }',
          '',
        ].join('\n'),
      );
      return file;
    }

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'livepipe-validate-'));
      // An empty model cache: fetched models are "not fetched yet", whatever this machine holds.
      process.env.LIVEPIPE_MODELS_DIR = join(dir, 'empty-cache');
      const bundled = await readFile('models/chat-sentiment-mlp.yaml', 'utf8');
      await writeFile(join(dir, 'no-onnx.yaml'), bundled.replace(/^file: .*$/m, 'file: nowhere.onnx'));
      await writeFile(
        join(dir, 'garbage.yaml'),
        bundled.replace(/^file: .*$/m, 'file: garbage.onnx').replace(/^sha256: .*\n/m, ''),
      );
      await writeFile(join(dir, 'garbage.onnx'), 'this is not a protobuf model\n');
    });

    afterAll(async () => {
      if (previousModelsDir === undefined) delete process.env.LIVEPIPE_MODELS_DIR;
      else process.env.LIVEPIPE_MODELS_DIR = previousModelsDir;
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('reports a bundled model whose ONNX file is missing, with the build command', async () => {
      const file = await pipelineWith('no-onnx', './no-onnx.yaml');
      const result = await run([file]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(`^${escapeRegExp(file)}:10:15  models\\[0\\]\\.manifest  model "scorer" cannot run`),
      );
      expect(result.stderr).toContain('nowhere.onnx');
      expect(result.stderr).toContain('npm run models:build');
      expect(result.stderr).toContain('LP_MODEL_NOT_FOUND');
    });

    it('reports an ONNX file that is not an ONNX model', async () => {
      const file = await pipelineWith('garbage', './garbage.yaml');
      const result = await run([file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${file}:10:15  models[0].manifest`);
      expect(result.stderr).toContain('garbage.onnx');
      expect(result.stderr).toContain('is not a loadable ONNX model');
      expect(result.stderr).toContain('LP_MODEL_INVALID');
    });

    it('reports a pretrained model that is not fetched yet, with the fetch command', async () => {
      const file = await pipelineWith('unfetched', resolve('models/minilm-l6-v2.yaml'));
      const result = await run([file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${file}:10:15  models[0].manifest`);
      expect(result.stderr).toContain('is not fetched');
      expect(result.stderr).toContain('npm run models:fetch');
      expect(result.stderr).not.toContain('models:build');
    });

    it('answers a wrong manifest path with the path, not with a build command', async () => {
      const file = await pipelineWith('typo', '../models/chat-sentiment.yml');
      const result = await run([file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${file}:10:15  models[0].manifest  no manifest at`);
      expect(result.stderr).toContain('relative to the pipeline file');
      expect(result.stderr).not.toContain('models:build');
      expect(result.stderr).not.toContain('models:fetch');
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
