import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
      stdout: '✓ pipelines/live-interaction.yaml: pipeline "live-interaction" — 1 source, 4 triggers, 1 model\n',
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
});
