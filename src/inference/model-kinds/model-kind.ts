// What a model kind provides: the zod schema of its manifests and a loader that resolves files and
// checks everything that can be checked without ONNX, so a worker never meets a bad manifest.
import type { z } from 'zod';
import type { ModelManifest } from '../model-manifest.js';

/** What a kind's loader gets besides the parsed manifest: where it is, and errors with file:line. */
export interface ManifestContext {
  /** Absolute path of the manifest file. */
  manifestPath: string;
  /** The model cache root (fetched models), $LIVEPIPE_MODELS_DIR or ~/.cache/livepipe/models. */
  modelsDir: string;
  /** Throws LP_MODEL_INVALID naming the manifest, the line of `field` and the field. */
  fail(field: PropertyKey[], message: string): never;
  /** Validates `value` (found at `at`) against a schema, failing at the first issue's field. */
  check<T>(schema: z.ZodType<T>, value: unknown, at: PropertyKey[]): T;
}

export interface ModelKind<Spec = unknown> {
  schema: z.ZodType<Spec>;
  load(spec: Spec, context: ManifestContext): Promise<ModelManifest>;
}
