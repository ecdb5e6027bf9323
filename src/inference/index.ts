// The inference stage's public surface: manifests and model kinds, fetching, tokenizers, the model
// runner, featurizer and postprocessor registries.
export {
  listModelManifests,
  loadModelManifest,
  modelManifestPaths,
  readModelSource,
  type LoadModelOptions,
  type ModelSourceEntry,
} from './model-registry.js';
export {
  featurizedManifestSchema,
  isFeaturizedManifest,
  transformerManifestSchema,
  type BatchRun,
  type BoundModel,
  type FeaturizedManifestSpec,
  type FeaturizedModelManifest,
  type ModelManifest,
  type ModelTask,
  type Pooling,
  type TensorSpec,
  type TransformerManifestSpec,
  type TransformerModelManifest,
} from './model-manifest.js';
export { ModelRunner, type ModelRunnerOptions } from './model-runner.js';
export type { ManifestContext, ModelKind } from './model-kinds/model-kind.js';
export { modelKindNames, registerModelKind } from './model-kinds/model-kind-registry.js';
export { poolEmbeddings } from './model-kinds/embedding-pooling.js';
export { fetchModel, ModelFetchError, type FetchedModel, type FetchModelOptions } from './fetch/model-fetcher.js';
export { modelCacheDir, modelsCacheDir, modelSourceSchema, type ModelSource } from './fetch/model-source.js';
export { streamProgress, type FetchProgress } from './fetch/fetch-progress.js';
export type { TextTokenizer, TokenizedBatch } from './tokenizers/text-tokenizer.js';
export { HuggingFaceTokenizer, type HuggingFaceTokenizerOptions } from './tokenizers/huggingface-tokenizer.js';
export type { Featurizer } from './featurizers/featurizer.js';
export {
  featurizerKind,
  featurizerKindNames,
  registerFeaturizer,
  type FeaturizerKind,
} from './featurizers/featurizer-registry.js';
export {
  createHashedBowFeaturizer,
  fnv1a32,
  hashedBowSpecSchema,
  tokenize,
  type HashedBowSpec,
} from './featurizers/hashed-bow.js';
export type {
  BatchOutputs,
  ClassificationResult,
  ModerationResult,
  Postprocessor,
  PostprocessorModel,
} from './postprocessors/postprocessor.js';
export {
  postprocessorKind,
  postprocessorKindNames,
  registerPostprocessor,
  type PostprocessorKind,
} from './postprocessors/postprocessor-registry.js';
