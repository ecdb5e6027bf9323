// The fetcher against a local HTTP server that lays a fixture jar out as a Maven repository: no
// network, no mvn. Covers the cache (kept, or detected as damaged and fetched again), a wrong pin
// (a clear error, nothing left behind) and an unreachable repository.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jarRepositoryPath, parseMavenCoordinates } from '../../../../src/inference/fetch/maven-artifact.js';
import { fetchModel, ModelFetchError } from '../../../../src/inference/fetch/model-fetcher.js';
import type { ModelSource } from '../../../../src/inference/fetch/model-source.js';
import { writeZip } from './zip-fixture.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const COORDINATES = 'test.livepipe:fixture-model:1.0.0';
const artifact = parseMavenCoordinates(COORDINATES)!;
const onnx = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7) % 256));
const tokenizer = Buffer.from('{"version":"1.0","model":{"type":"WordPiece"}}');
const jar = writeZip([
  { name: 'README', data: 'fixture' },
  { name: 'fixture-q.onnx', data: onnx },
  { name: 'fixture-q-tokenizer.json', data: tokenizer },
]);
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function source(overrides: { onnxSha?: string } = {}): ModelSource {
  return {
    maven: COORDINATES,
    files: [
      { entry: 'fixture-q.onnx', file: 'model.onnx', sha256: overrides.onnxSha ?? sha256(onnx), size: onnx.length },
      { entry: 'fixture-q-tokenizer.json', file: 'tokenizer.json', sha256: sha256(tokenizer), size: tokenizer.length },
    ],
  };
}

describe('fetchModel', () => {
  let server: Server;
  let repository: string;
  let requests = 0;
  let work: string;
  let modelsDir: string;
  let localRepository: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests++;
      if (request.url === `/maven2/${jarRepositoryPath(artifact)}`) {
        response.writeHead(200, { 'content-type': 'application/java-archive', 'content-length': jar.length });
        response.end(jar);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    repository = `http://127.0.0.1:${(server.address() as AddressInfo).port}/maven2/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests = 0;
    work = mkdtempSync(join(tmpdir(), 'livepipe-fetch-'));
    modelsDir = join(work, 'models');
    localRepository = join(work, 'm2');
  });
  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
  });

  const fetch = (from: ModelSource, repo = repository) =>
    fetchModel('fixture', from, { modelsDir, repository: repo, maven: false, localRepository });

  it('downloads the jar, extracts the pinned files and keeps them for the next call', async () => {
    const first = await fetch(source());
    expect(first.status).toBe('fetched');
    expect(first.origin).toBe(`${repository}${jarRepositoryPath(artifact)}`);
    expect(first.files).toEqual([
      join(modelsDir, 'fixture', 'model.onnx'),
      join(modelsDir, 'fixture', 'tokenizer.json'),
    ]);
    expect(readFileSync(first.files[0]!).equals(onnx)).toBe(true);
    expect(readFileSync(first.files[1]!).equals(tokenizer)).toBe(true);
    expect(requests).toBe(1);

    const second = await fetch(source());
    expect(second.status).toBe('cached');
    expect(requests).toBe(1);
  });

  it('detects a damaged cached file and fetches it again', async () => {
    const { files } = await fetch(source());
    const damaged = Buffer.from(onnx);
    damaged[100] = (damaged[100] as number) ^ 0xff;
    writeFileSync(files[0]!, damaged);

    const again = await fetch(source());
    expect(again.status).toBe('fetched');
    expect(readFileSync(files[0]!).equals(onnx)).toBe(true);
    expect(requests).toBe(2);
  });

  it('reports a damaged cached file it cannot replace and removes it', async () => {
    const { files } = await fetch(source());
    writeFileSync(files[0]!, 'truncated');
    const error = await fetch(source(), 'http://127.0.0.1:9/maven2/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFetchError);
    expect((error as ModelFetchError).message).toContain('npm run models:fetch');
    expect(existsSync(files[0]!)).toBe(false);
  });

  it('refuses files that differ from the pinned sha256, names both values and writes nothing', async () => {
    const wrong = 'f'.repeat(64);
    const error = await fetch(source({ onnxSha: wrong })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFetchError);
    const { code, message } = error as ModelFetchError;
    expect(code).toBe('LP_MODEL_INVALID');
    expect(message).toContain(`fixture-q.onnx has sha256 ${sha256(onnx)}, but the manifest pins ${wrong}`);
    expect(message).toContain('`npm run models:fetch`');
    expect(message).toContain('Nothing new was written');
    expect(existsSync(join(modelsDir, 'fixture'))).toBe(false);
    expect(readdirSync(modelsDir)).toEqual([]);
  });

  it('says what failed and which command to run when the repository cannot be reached', async () => {
    const error = await fetch(source(), 'http://127.0.0.1:9/maven2/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFetchError);
    const { code, message, failures } = error as ModelFetchError;
    expect(code).toBe('LP_MODEL_NOT_FOUND');
    expect(failures).toHaveLength(1);
    expect(message).toContain('cannot connect');
    expect(message).toContain('LIVEPIPE_MAVEN_REPOSITORY');
    expect(message).toContain('`npm run models:fetch`');
  });

  it('uses a jar already in the local Maven repository without the network', async () => {
    const localJar = join(localRepository, ...jarRepositoryPath(artifact).split('/'));
    mkdirSync(dirname(localJar), { recursive: true });
    writeFileSync(localJar, jar);
    const fetched = await fetch(source(), 'http://127.0.0.1:9/maven2/');
    expect(fetched).toMatchObject({ status: 'fetched', origin: localJar });
    expect(requests).toBe(0);
  });

  it('downloads again when the local Maven repository holds a damaged jar', async () => {
    const localJar = join(localRepository, ...jarRepositoryPath(artifact).split('/'));
    mkdirSync(dirname(localJar), { recursive: true });
    writeFileSync(localJar, jar.subarray(0, jar.length >> 1));
    const fetched = await fetch(source());
    expect(fetched.origin).toBe(`${repository}${jarRepositoryPath(artifact)}`);
    expect(requests).toBe(1);
  });

  it('exits 1 from `npm run models:fetch` with the reason on stderr', async () => {
    const manifest = join(work, 'fixture.yaml');
    writeFileSync(
      manifest,
      [
        'task: text-embedding',
        'source:',
        `  maven: ${COORDINATES}`,
        '  files:',
        ...source({ onnxSha: '0'.repeat(64) }).files.flatMap((f) => [
          `    - entry: ${f.entry}`,
          `      file: ${f.file}`,
          `      sha256: "${f.sha256}"`,
          `      size: ${f.size}`,
        ]),
        '',
      ].join('\n'),
    );
    // Asynchronously: this process's server must answer the script's download.
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/models-fetch.ts', manifest], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        LIVEPIPE_MODELS_DIR: modelsDir,
        LIVEPIPE_MAVEN_REPOSITORY: repository,
        LIVEPIPE_MODELS_NO_MVN: '1',
      },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('but the manifest pins 0000');
    expect(run.stderr).toContain('run `npm run models:fetch` again');
    expect(existsSync(join(modelsDir, 'fixture'))).toBe(false);
  });
});
