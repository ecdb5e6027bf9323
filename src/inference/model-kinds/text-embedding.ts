// text-embedding: a transformer encoder's token vectors pooled into one vector per text (mean over
// the attention mask, or the CLS token), L2-normalised by default. Results carry `embedding`.
import { join } from 'node:path';
import { LivepipeError } from '../../errors.js';
import {
  type TransformerManifestSpec,
  type TransformerModelManifest,
  transformerManifestSchema,
} from '../model-manifest.js';
import type { ClassificationResult } from '../postprocessors/postprocessor.js';
import { poolEmbeddings } from './embedding-pooling.js';
import { integerField, poolingFromSentenceTransformers, readJsonObject } from './huggingface-export.js';
import type { ManifestContext, ModelKind } from './model-kind.js';
import { bindTransformer, resolveTransformerFiles, transformerManifestBase } from './transformer-model.js';

async function load(spec: TransformerManifestSpec, context: ManifestContext): Promise<TransformerModelManifest> {
  const files = await resolveTransformerFiles(spec, context);
  // A sentence-transformers export says how it pools; a manifest's `pooling` overrides it.
  const exported =
    spec.huggingface === undefined
      ? undefined
      : poolingFromSentenceTransformers(await readJsonObject(join(files.base, '1_Pooling', 'config.json')));
  const pooling = spec.pooling ?? exported ?? 'mean';
  const dimensions = spec.dimensions ?? (pooling === 'none' ? undefined : integerField(files.config, 'hidden_size'));

  const manifest: TransformerModelManifest = {
    ...transformerManifestBase(spec, files, context.manifestPath),
    modelKind: 'transformer-embedding',
    pooling,
    normalize: spec.normalize ?? true,
    dimensions,
    bind: async (session) => {
      const bound = await bindTransformer(
        manifest,
        session,
        pooling === 'none' ? 'sentence_embedding' : 'last_hidden_state',
        pooling === 'none' ? 2 : 3,
      );
      if (dimensions !== undefined && bound.outputWidth !== undefined && bound.outputWidth !== dimensions) {
        throw new LivepipeError(
          'LP_MODEL_INVALID',
          `${manifest.manifestPath}: the graph's "${bound.outputName}" is ${bound.outputWidth} wide, not ${dimensions} (dimensions)`,
        );
      }
      const normalize = manifest.normalize ?? true;
      return {
        async run(texts) {
          if (texts.length === 0) return { results: [] };
          const { batch, data, dims } = await bound.run(texts);
          const vectors = poolEmbeddings(data, dims, batch.attentionMask, pooling, normalize);
          const results = vectors.map(
            (embedding): ClassificationResult => ({ label: '', score: 0, scores: {}, embedding }),
          );
          return { results, tokenCounts: batch.tokenCounts, sequenceLength: batch.sequenceLength };
        },
      };
    },
  };
  return manifest;
}

export const textEmbeddingKind: ModelKind<TransformerManifestSpec> = { schema: transformerManifestSchema, load };
