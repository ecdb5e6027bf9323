// The model manifest (models/<name>.yaml): what an ONNX file expects and returns, how text becomes
// its input, and how its output becomes a result. Everything a user needs to drop in their own model.
import { z } from 'zod';
import type { Featurizer } from './featurizers/featurizer.js';
import type { Postprocessor } from './postprocessors/postprocessor.js';

const tensorSpecSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.literal('float32'),
  /** Dimensions: a positive integer, or a name (e.g. "batch") for a dynamic dimension. */
  shape: z.array(z.union([z.number().int().positive(), z.string().min(1)])).min(1),
});

const pluginSpecSchema = z.looseObject({ kind: z.string().min(1) });

export const modelManifestSchema = z.strictObject({
  apiVersion: z.literal('livepipe/v1'),
  kind: z.literal('Model'),
  name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'expected a lower-case name of letters, digits and "-"'),
  version: z.string().min(1),
  description: z.string().optional(),
  /** The ONNX file, relative to the manifest. */
  file: z.string().min(1),
  /** When set, the ONNX file must have this SHA-256 (hex); catches a stale or swapped model. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits')
    .optional(),
  task: z.literal('text-classification'),
  inputs: z
    .array(tensorSpecSchema)
    .length(1, 'a text-classification model takes exactly one input (the feature matrix)'),
  outputs: z.array(tensorSpecSchema).min(1),
  featurizer: pluginSpecSchema,
  labels: z.array(z.string().min(1)).min(2),
  postprocess: z.array(pluginSpecSchema).min(1),
  /** How the model was made (free-form; shown by `livepipe models`). */
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  license: z.record(z.string(), z.string()).optional(),
  attribution: z.string().optional(),
});

export type ModelManifestSpec = z.output<typeof modelManifestSchema>;
export type TensorSpec = z.output<typeof tensorSpecSchema>;

/** A validated manifest with absolute paths and its featurizer and postprocessors ready to build. */
export interface ModelManifest extends ModelManifestSpec {
  /** Absolute path of the manifest file. */
  manifestPath: string;
  /** Absolute path of the ONNX file. */
  modelPath: string;
  createFeaturizer(): Featurizer;
  createPostprocessors(): Postprocessor[];
}
