// The inference stage's public surface: manifests, the model runner, featurizer and postprocessor registries.
export { listModelManifests, loadModelManifest } from './model-registry.js';
export { modelManifestSchema, type ModelManifest, type ModelManifestSpec, type TensorSpec } from './model-manifest.js';
export { ModelRunner, type BatchRun } from './model-runner.js';
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
