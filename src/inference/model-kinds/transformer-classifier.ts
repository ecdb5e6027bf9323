// Transformer text-classification (e.g. a toxicity model exported with Optimum): logits [batch,
// labels] → softmax → label, with labels from the manifest or the export's config.json id2label.
import { LivepipeError } from '../../errors.js';
import {
  type TransformerManifestSpec,
  type TransformerModelManifest,
  transformerManifestSchema,
} from '../model-manifest.js';
import type { BatchOutputs, ClassificationResult, PostprocessorModel } from '../postprocessors/postprocessor.js';
import { labelsFromConfig } from './huggingface-export.js';
import type { ManifestContext, ModelKind } from './model-kind.js';
import { buildPostprocessors } from './postprocess-chain.js';
import { bindTransformer, resolveTransformerFiles, transformerManifestBase } from './transformer-model.js';

const DEFAULT_OUTPUT = 'logits';
const DEFAULT_POSTPROCESS = [{ kind: 'softmax-label', from: 'logits' }] as const;

async function load(spec: TransformerManifestSpec, context: ManifestContext): Promise<TransformerModelManifest> {
  const files = await resolveTransformerFiles(spec, context);
  const labels = spec.labels ?? labelsFromConfig(files.config, files.configPath);
  if (labels === undefined) {
    return context.fail(
      ['labels'],
      `no labels: list one per output column in "labels", or give the export a config.json with id2label (looked for ${files.configPath})`,
    );
  }
  const entries = spec.postprocess ?? DEFAULT_POSTPROCESS;
  const postprocessModel = (output: string, width: number | undefined): PostprocessorModel => ({
    labels,
    outputs: [{ name: output, width }],
    file: context.manifestPath,
  });
  // Validated now against the expected output; rebuilt at bind with the graph's actual one.
  buildPostprocessors(entries, postprocessModel(spec.output ?? DEFAULT_OUTPUT, labels.length), context);

  const manifest: TransformerModelManifest = {
    ...transformerManifestBase(spec, files, context.manifestPath),
    modelKind: 'transformer-classifier',
    labels,
    bind: async (session) => {
      const bound = await bindTransformer(manifest, session, DEFAULT_OUTPUT, 2);
      if (bound.outputWidth !== undefined && bound.outputWidth !== labels.length) {
        throw new LivepipeError(
          'LP_MODEL_INVALID',
          `${manifest.manifestPath}: the graph's "${bound.outputName}" has ${bound.outputWidth} columns but there are ` +
            `${labels.length} labels (${labels.join(', ')}); list one label per column`,
        );
      }
      const postprocessors = buildPostprocessors(entries, postprocessModel(bound.outputName, labels.length), context)();
      const name = bound.outputName;
      return {
        async run(texts) {
          if (texts.length === 0) return { results: [] };
          const { batch, data, dims } = await bound.run(texts);
          if (dims[dims.length - 1] !== labels.length) {
            throw new LivepipeError(
              'LP_MODEL_INVALID',
              `${manifest.modelPath} returned ${dims[dims.length - 1]} columns for ${labels.length} labels`,
            );
          }
          const outputs: BatchOutputs = { [name]: data };
          const results: ClassificationResult[] = new Array(texts.length);
          for (let row = 0; row < texts.length; row++) {
            const result: ClassificationResult = { label: '', score: 0, scores: {} };
            for (const postprocessor of postprocessors) postprocessor.apply(outputs, row, texts[row] as string, result);
            results[row] = result;
          }
          return { results, tokenCounts: batch.tokenCounts, sequenceLength: batch.sequenceLength };
        },
      };
    },
  };
  return manifest;
}

export const transformerClassifierKind: ModelKind<TransformerManifestSpec> = {
  schema: transformerManifestSchema,
  load,
};
