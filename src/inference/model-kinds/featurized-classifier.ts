// Featurized text classification: a featurizer (e.g. hashed-bow) writes one float32 vector per text
// into a reused batch buffer, the graph maps [batch, dims] to scores, postprocessors set the label.
// The bundled chat-sentiment MLP is this kind; it stays the fallback when no model can be fetched.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { LivepipeError } from '../../errors.js';
import { featurizerKind, featurizerKindNames } from '../featurizers/featurizer-registry.js';
import {
  type BoundModel,
  type FeaturizedManifestSpec,
  type FeaturizedModelManifest,
  featurizedManifestSchema,
} from '../model-manifest.js';
import type { BatchOutputs, ClassificationResult, PostprocessorModel } from '../postprocessors/postprocessor.js';
import type { ManifestContext, ModelKind } from './model-kind.js';
import { buildPostprocessors } from './postprocess-chain.js';

export const BUILD_HINT =
  'for the bundled model run `npm run models:build`; for your own model put the .onnx file there';

async function load(spec: FeaturizedManifestSpec, context: ManifestContext): Promise<FeaturizedModelManifest> {
  const { manifestPath, fail, check } = context;
  const featurizerEntry = featurizerKind(spec.featurizer.kind);
  if (featurizerEntry === undefined) {
    fail(
      ['featurizer', 'kind'],
      `unknown featurizer "${spec.featurizer.kind}"; known kinds: ${featurizerKindNames().join(', ')}`,
    );
  }
  const featurizerSpec = check(featurizerEntry!.schema, spec.featurizer, ['featurizer']);
  const featurizer = featurizerEntry!.create(featurizerSpec);
  const input = spec.inputs[0]!;
  const featureDim = input.shape[input.shape.length - 1];
  if (input.shape.length !== 2 || (typeof featureDim === 'number' && featureDim !== featurizer.dims)) {
    fail(['inputs', 0, 'shape'], `expected [batch, ${featurizer.dims}] to match featurizer.dims ${featurizer.dims}`);
  }

  const postprocessModel: PostprocessorModel = {
    labels: spec.labels,
    outputs: spec.outputs.map((o) => {
      const last = o.shape[o.shape.length - 1];
      return { name: o.name, width: typeof last === 'number' ? last : undefined };
    }),
    file: manifestPath,
  };
  const createPostprocessors = buildPostprocessors(spec.postprocess, postprocessModel, context);

  const modelPath = resolve(dirname(manifestPath), spec.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(modelPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LivepipeError(
        'LP_MODEL_NOT_FOUND',
        `model file ${modelPath} (field "file" of ${manifestPath}) does not exist; ${BUILD_HINT}`,
        { cause: error },
      );
    }
    throw error;
  }
  if (spec.sha256 !== undefined) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== spec.sha256) {
      fail(
        ['sha256'],
        `${modelPath} has sha256 ${actual}, not the manifest's; rebuild the model (npm run models:build) or update the field`,
      );
    }
  }

  const manifest: FeaturizedModelManifest = {
    ...spec,
    modelKind: 'featurized-classifier',
    manifestPath,
    modelPath,
    createFeaturizer: () => featurizerEntry!.create(featurizerSpec),
    createPostprocessors,
    bind: async (session) => bind(manifest, session),
  };
  return manifest;
}

function bind(manifest: FeaturizedModelManifest, session: ort.InferenceSession): BoundModel {
  const inputName = manifest.inputs[0]!.name;
  const outputNames = manifest.outputs.map((o) => o.name);
  const missing = [
    ...(session.inputNames.includes(inputName) ? [] : [`input "${inputName}"`]),
    ...outputNames.filter((name) => !session.outputNames.includes(name)).map((name) => `output "${name}"`),
  ];
  if (missing.length > 0) {
    throw new LivepipeError(
      'LP_MODEL_INVALID',
      `${manifest.manifestPath} declares ${missing.join(', ')}, which ${manifest.modelPath} lacks; ` +
        `the model has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
    );
  }
  const featurizer = manifest.createFeaturizer();
  const postprocessors = manifest.createPostprocessors();
  const dims = featurizer.dims;
  let buffer = new Float32Array(dims * 32);

  return {
    async run(texts) {
      const count = texts.length;
      if (buffer.length < count * dims) buffer = new Float32Array(count * dims);
      const features = buffer.subarray(0, count * dims);
      for (let i = 0; i < count; i++) featurizer.featurize(texts[i] as string, features, i * dims);
      const output = await session.run(
        { [inputName]: new ort.Tensor('float32', features, [count, dims]) },
        outputNames,
      );
      const outputs: Record<string, Float32Array> = {};
      for (const name of outputNames) outputs[name] = output[name]!.data as Float32Array;
      const results: ClassificationResult[] = new Array(count);
      for (let row = 0; row < count; row++) {
        const result: ClassificationResult = { label: '', score: 0, scores: {} };
        for (const postprocessor of postprocessors)
          postprocessor.apply(outputs as BatchOutputs, row, texts[row] as string, result);
        results[row] = result;
      }
      return { results };
    },
  };
}

export const featurizedClassifierKind: ModelKind<FeaturizedManifestSpec> = {
  schema: featurizedManifestSchema,
  load,
};
