// Gets an artifact's jar: from the local Maven repository when it is already there, else with
// `mvn dependency:get` when mvn is on PATH, else (or when mvn fails) over HTTPS from Maven Central
// or a mirror. Each way yields a candidate; the caller verifies it and asks for the next on failure.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { FetchProgress } from './fetch-progress.js';
import { type MavenArtifact, jarUrl, localRepositoryJar, MAVEN_CENTRAL } from './maven-artifact.js';

export interface JarDownloadOptions {
  /** Remote repository root; default Maven Central. */
  repository: string;
  /** Use mvn when it is on PATH (true), or never (false: HTTPS only). */
  maven: boolean;
  /** The local Maven repository mvn fills (default ~/.m2/repository). */
  localRepository: string;
  progress: FetchProgress;
  /** A download that receives nothing for this long fails (default 30 s). */
  idleTimeoutMs?: number;
}

export type JarCandidate = { origin: string; bytes: Buffer } | { origin: string; error: string };

/** Candidates in the order worth trying; a later one is produced only when the caller asks for it. */
export async function* jarCandidates(
  artifact: MavenArtifact,
  options: JarDownloadOptions,
): AsyncGenerator<JarCandidate> {
  const localJar = localRepositoryJar(artifact, options.localRepository);
  if (await readable(localJar)) {
    yield { origin: localJar, bytes: await readFile(localJar) };
  } else if (options.maven && (await findOnPath('mvn')) !== undefined) {
    options.progress.step(`mvn dependency:get ${artifact.coordinates}`);
    const failure = await runMaven(artifact, options.repository);
    if (failure !== undefined) yield { origin: 'mvn dependency:get', error: failure };
    else if (await readable(localJar)) yield { origin: localJar, bytes: await readFile(localJar) };
    else {
      yield {
        origin: 'mvn dependency:get',
        error: `mvn succeeded but left no jar at ${localJar} (a custom localRepository in settings.xml?)`,
      };
    }
  }
  const url = jarUrl(artifact, options.repository);
  try {
    yield { origin: url, bytes: await download(url, options) };
  } catch (error) {
    yield { origin: url, error: (error as Error).message };
  }
}

async function readable(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Runs mvn quietly; undefined on success, else what went wrong (its last output lines). */
function runMaven(artifact: MavenArtifact, repository: string): Promise<string | undefined> {
  const args = ['-q', '-B', 'dependency:get', `-Dartifact=${artifact.coordinates}`, '-Dtransitive=false'];
  if (repository !== MAVEN_CENTRAL) args.push(`-DremoteRepositories=${repository}`);
  return new Promise((resolve) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => resolve(`could not run mvn: ${error.message}`));
    child.once('close', (code) => {
      if (code === 0) return resolve(undefined);
      const lines = output
        .trim()
        .split('\n')
        .filter((line) => line.trim() !== '');
      resolve(`mvn exited with ${code}: ${lines.slice(-3).join(' | ') || 'no output'}`);
    });
  });
}

/** The whole body in memory (jars here are ~16 MB), with progress and an idle timeout. */
async function download(url: string, options: JarDownloadOptions): Promise<Buffer> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleTimeoutMs / 1000} s`)), idleTimeoutMs);
  };
  arm();
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      throw new Error(`cannot connect: ${networkReason(error)}`, { cause: error });
    }
    if (!response.ok || response.body === null) {
      throw new Error(`answered HTTP ${response.status} ${response.statusText}`.trim());
    }
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : undefined;
    const bar = options.progress.download(url, total);
    const chunks: Uint8Array[] = [];
    let received = 0;
    try {
      const reader = response.body.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        arm();
        chunks.push(read.value);
        received += read.value.byteLength;
        bar.update(received);
      }
    } catch (error) {
      bar.done(false);
      throw new Error(`the download broke off after ${received} bytes: ${networkReason(error)}`, {
        cause: error,
      });
    }
    bar.done(total === undefined || received === total);
    if (total !== undefined && received !== total) {
      throw new Error(`the download ended after ${received} of ${total} bytes`);
    }
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
  }
}

/** fetch() says only "fetch failed"; the reason (ENOTFOUND, ECONNREFUSED, a timeout) is in its cause. */
function networkReason(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    parts.push(code !== undefined && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}
