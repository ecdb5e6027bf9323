// The model manifest (models/<name>.yaml): what an ONNX file expects and returns, how text becomes
// its input, and how its output becomes a result. Featurized models (a featurizer turns text into
// one float32 vector; the bundled MLP) are the one family so far; loading lives in model-kinds/.
import type ort from 'onnxruntime-node';
import { z } from 'zod';
import { sha256Schema } from './fetch/model-source.js';
import type { Featurizer } from './featurizers/featurizer.js';
import type { ClassificationResult, Postprocessor } from './postprocessors/postprocessor.js';

export const modelNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'expected a lower-case name of letters, digits and "-"');

const tensorSpecSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.literal('float32'),
  /** Dimensions: a positive integer, or a name (e.g. "batch") for a dynamic dimension. */
  shape: z.array(z.union([z.number().int().positive(), z.string().min(1)])).min(1),
});

const pluginSpecSchema = z.looseObject({ kind: z.string().min(1) });

/** Free-form records of how a model was made, how well it does, and whose work it is. */
const provenanceFields = {
  /** How the model was made (free-form; shown by `livepipe models`). */
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  license: z.record(z.string(), z.string()).optional(),
  attribution: z.string().optional(),
};

/** A featurized model: one float32 feature matrix in, float32 scores out (the bundled MLP). */
export const featurizedManifestSchema = z.strictObject({
  apiVersion: z.literal('livepipe/v1'),
  kind: z.literal('Model'),
  name: modelNameSchema,
  version: z.string().min(1),
  description: z.string().optional(),
  /** The ONNX file, relative to the manifest. */
  file: z.string().min(1),
  /** When set, the ONNX file must have this SHA-256 (hex); catches a stale or swapped model. */
  sha256: sha256Schema.optional(),
  task: z.literal('text-classification'),
  inputs: z
    .array(tensorSpecSchema)
    .length(1, 'a text-classification model takes exactly one input (the feature matrix)'),
  outputs: z.array(tensorSpecSchema).min(1),
  featurizer: pluginSpecSchema,
  labels: z.array(z.string().min(1)).min(2),
  postprocess: z.array(pluginSpecSchema).min(1),
  ...provenanceFields,
});

export type FeaturizedManifestSpec = z.output<typeof featurizedManifestSchema>;
export type TensorSpec = z.output<typeof tensorSpecSchema>;
export type ModelTask = 'text-classification';

/** One batch through a model. */
export interface BatchRun {
  /** One per text. */
  results: ClassificationResult[];
  /** Featurize + session run + postprocess, milliseconds. */
  inferMs: number;
}

/** A manifest's runtime over an open ONNX session: texts in, results out. */
export interface BoundModel {
  run(texts: readonly string[]): Promise<Omit<BatchRun, 'inferMs'>>;
}

interface ModelManifestBase {
  /** The model kind that loaded the manifest (model-kinds/model-kind-registry.ts). */
  modelKind: string;
  name: string;
  version: string;
  description?: string;
  task: ModelTask;
  /** Absolute path of the manifest file. */
  manifestPath: string;
  /** Absolute path of the ONNX file. */
  modelPath: string;
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  license?: Record<string, string>;
  attribution?: string;
  /**
   * Checks the session's inputs and outputs against the manifest and builds what runs batches on
   * it (tokenizer or featurizer, postprocessors); throws LP_MODEL_INVALID when they do not fit.
   */
  bind(session: ort.InferenceSession): Promise<BoundModel>;
}

/** A validated featurized manifest with absolute paths and its featurizer and postprocessors ready to build. */
export interface FeaturizedModelManifest extends ModelManifestBase, Omit<FeaturizedManifestSpec, 'task'> {
  modelKind: 'featurized-classifier';
  task: 'text-classification';
  createFeaturizer(): Featurizer;
  createPostprocessors(): Postprocessor[];
}

export type ModelManifest = FeaturizedModelManifest;

export function isFeaturizedManifest(manifest: ModelManifest): manifest is FeaturizedModelManifest {
  return manifest.modelKind === 'featurized-classifier';
}
