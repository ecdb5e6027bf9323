// Makes a model's pinned files present in its cache folder: files already there are re-hashed and
// kept when they match; otherwise the jar is obtained (jar-download.ts), the entries are extracted
// and checked against the manifest's sha256, and each is written to a temporary file and renamed,
// so a cache file is either complete and verified or absent.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LivepipeError } from '../../errors.js';
import { type FetchProgress, formatBytes, silentProgress } from './fetch-progress.js';
import { jarCandidates } from './jar-download.js';
import { defaultLocalRepository, MAVEN_CENTRAL, parseMavenCoordinates } from './maven-artifact.js';
import { FETCH_COMMAND, type ModelSource, modelCacheDir, modelsCacheDir, type SourceFile } from './model-source.js';
import { ZipArchive } from './zip-archive.js';

export interface FetchModelOptions {
  /** Cache root; default $LIVEPIPE_MODELS_DIR or ~/.cache/livepipe/models. */
  modelsDir?: string;
  /** Remote Maven repository; default $LIVEPIPE_MAVEN_REPOSITORY or Maven Central. */
  repository?: string;
  /** Use mvn when it is on PATH (default true, unless $LIVEPIPE_MODELS_NO_MVN is 1). */
  maven?: boolean;
  localRepository?: string;
  progress?: FetchProgress;
  /** The manifest the source came from, named in errors. */
  manifestPath?: string;
  idleTimeoutMs?: number;
}

export interface FetchedModel {
  name: string;
  dir: string;
  /** Absolute paths of the model's files, in the manifest's order. */
  files: string[];
  /** cached: every file was already there and verified; fetched: at least one was written. */
  status: 'cached' | 'fetched';
  /** Where the jar came from when fetched (a path in ~/.m2 or a URL). */
  origin?: string;
}

/** Leftovers of a fetch killed between write and rename are removed once this old. */
const STALE_TEMP_MS = 10 * 60_000;
const TEMP_SUFFIX = '.partial';

export class ModelFetchError extends LivepipeError {
  /** Each way that was tried and why it failed. */
  readonly failures: readonly string[];

  constructor(code: 'LP_MODEL_NOT_FOUND' | 'LP_MODEL_INVALID', message: string, failures: readonly string[]) {
    super(code, message);
    this.name = 'ModelFetchError';
    this.failures = failures;
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function fetchModel(
  name: string,
  source: ModelSource,
  options: FetchModelOptions = {},
): Promise<FetchedModel> {
  const progress = options.progress ?? silentProgress;
  const dir = modelCacheDir(name, options.modelsDir ?? modelsCacheDir());
  const files = source.files.map((file) => join(dir, file.file));
  await mkdir(dir, { recursive: true });
  await removeStaleTemporaries(dir);

  const missing: SourceFile[] = [];
  for (const file of source.files) {
    const path = join(dir, file.file);
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (bytes === undefined) {
      missing.push(file);
      continue;
    }
    const actual = sha256Hex(bytes);
    if (actual === file.sha256) continue;
    // A damaged or stale file must not stay where a worker would load it.
    await rm(path, { force: true });
    progress.step(
      `${name}: cached ${file.file} has sha256 ${actual}, not the pinned ${file.sha256}; removed, fetching again`,
    );
    missing.push(file);
  }
  if (missing.length === 0) {
    progress.step(`${name}: up to date in ${dir}`);
    return { name, dir, files, status: 'cached' };
  }

  const artifact = parseMavenCoordinates(source.maven);
  if (artifact === undefined)
    throw new LivepipeError('LP_MODEL_INVALID', `source.maven "${source.maven}" is not group:artifact:version`);
  const repository = options.repository ?? (process.env.LIVEPIPE_MAVEN_REPOSITORY || MAVEN_CENTRAL);
  const failures: string[] = [];
  let checksumFailed = false;
  progress.step(`${name}: fetching ${missing.map((f) => f.file).join(', ')} from ${source.maven}`);
  for await (const candidate of jarCandidates(artifact, {
    repository,
    maven: options.maven ?? process.env.LIVEPIPE_MODELS_NO_MVN !== '1',
    localRepository: options.localRepository ?? defaultLocalRepository(),
    progress,
    idleTimeoutMs: options.idleTimeoutMs,
  })) {
    if ('error' in candidate) {
      failures.push(`${candidate.origin}: ${candidate.error}`);
      continue;
    }
    const extracted = await extractVerified(candidate.bytes, missing);
    if (!extracted.ok) {
      checksumFailed ||= extracted.checksum;
      failures.push(`${candidate.origin}: ${extracted.reason}`);
      continue;
    }
    progress.step(`${name}: extracting from ${candidate.origin}`);
    for (const [index, file] of missing.entries()) {
      await writeAtomically(join(dir, file.file), extracted.contents[index] as Buffer);
      progress.step(`${name}: ${file.file} (${formatBytes(file.size)}) sha256 ${file.sha256} ok`);
    }
    return { name, dir, files, status: 'fetched', origin: candidate.origin };
  }

  // A first fetch that failed leaves no empty folder behind either.
  if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  const where = options.manifestPath === undefined ? '' : ` (${options.manifestPath})`;
  const advice = checksumFailed
    ? 'A sha256 mismatch means the files differ from the ones the manifest pins: a damaged jar (delete it from ' +
      '~/.m2/repository) or a wrong pin in the manifest.'
    : 'Check the network or proxy, or set LIVEPIPE_MAVEN_REPOSITORY to a reachable Maven mirror.';
  throw new ModelFetchError(
    checksumFailed ? 'LP_MODEL_INVALID' : 'LP_MODEL_NOT_FOUND',
    `cannot fetch model "${name}"${where} from ${source.maven}:\n${failures.map((f) => `  - ${f}`).join('\n')}\n` +
      `Nothing new was written to ${dir} (a cached file that failed its sha256 was removed). ${advice} Then run \`${FETCH_COMMAND}\` again.`,
    failures,
  );
}

type Extraction = { ok: true; contents: Buffer[] } | { ok: false; checksum: boolean; reason: string };

async function extractVerified(jar: Buffer, files: readonly SourceFile[]): Promise<Extraction> {
  let archive: ZipArchive;
  try {
    archive = new ZipArchive(jar);
  } catch (error) {
    return { ok: false, checksum: false, reason: (error as Error).message };
  }
  const contents: Buffer[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await archive.read(file.entry);
    } catch (error) {
      return { ok: false, checksum: false, reason: (error as Error).message };
    }
    const actual = sha256Hex(bytes);
    if (actual !== file.sha256) {
      return {
        ok: false,
        checksum: true,
        reason: `${file.entry} has sha256 ${actual}, but the manifest pins ${file.sha256}`,
      };
    }
    contents.push(bytes);
  }
  return { ok: true, contents };
}

/** Writes beside the target and renames over it: readers see the old file, or the new one whole. */
export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
  try {
    await writeFile(temporary, bytes, { flush: true });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function removeStaleTemporaries(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(dir)) {
    if (!name.endsWith(TEMP_SUFFIX)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
  }
}
