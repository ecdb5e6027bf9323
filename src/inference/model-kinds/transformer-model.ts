// What the transformer kinds (text-embedding, transformer text-classification) share: finding the
// files (an export folder, the model cache, or beside the manifest), the max length, and at bind
// time the tokenizer and the session's int64 inputs, of which token_type_ids is fed only when the
// graph has it.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { LivepipeError } from '../../errors.js';
import { FETCH_COMMAND, modelCacheDir } from '../fetch/model-source.js';
import type { TransformerManifestSpec, TransformerModelManifest } from '../model-manifest.js';
import { HuggingFaceTokenizer } from '../tokenizers/huggingface-tokenizer.js';
import type { TokenizedBatch } from '../tokenizers/text-tokenizer.js';
import { integerField, type JsonObject, modelMaxLength, readJsonObject } from './huggingface-export.js';
import type { ManifestContext } from './model-kind.js';

/** Used when neither the manifest, the tokenizer nor the config says: BERT's limit. */
const DEFAULT_MAX_LENGTH = 512;

export const EXPORT_HINT =
  'export the model in the Hugging Face/Optimum layout (models/README.md, "Bring a Hugging Face model"), or fix the path';

export interface TransformerFiles {
  name: string;
  version: string;
  /** The folder the relative file names resolve against. */
  base: string;
  modelPath: string;
  tokenizerPath: string;
  tokenizerConfigPath?: string;
  /** config.json's contents when present. */
  config?: JsonObject;
  configPath: string;
  maxLength: number;
}

/** A manifest file name as a model name: "My Toxicity.yaml" → "my-toxicity". */
export function nameFromManifestPath(manifestPath: string): string {
  const stem = basename(manifestPath, extname(manifestPath))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return stem === '' ? 'model' : stem;
}

async function isFile(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

export async function resolveTransformerFiles(
  spec: TransformerManifestSpec,
  context: ManifestContext,
): Promise<TransformerFiles> {
  const { manifestPath, fail } = context;
  const manifestDir = dirname(manifestPath);
  const name = spec.name ?? nameFromManifestPath(manifestPath);
  const source = spec.source;
  let base = manifestDir;
  if (source !== undefined || spec.build !== undefined) base = modelCacheDir(name, context.modelsDir);
  else if (spec.huggingface !== undefined) {
    base = resolve(manifestDir, spec.huggingface);
    const info = await stat(base).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) {
      throw new LivepipeError(
        'LP_MODEL_NOT_FOUND',
        `export folder ${base} (field "huggingface" of ${manifestPath}) does not exist; ${EXPORT_HINT}`,
      );
    }
  }

  let modelFile = spec.file ?? 'model.onnx';
  // transformers.js-style exports keep the graph in onnx/; take it when the root has none.
  const cached = source !== undefined || spec.build !== undefined;
  if (spec.file === undefined && !cached && (await isFile(join(base, modelFile))) === undefined) {
    if ((await isFile(join(base, 'onnx', 'model.onnx'))) !== undefined) modelFile = join('onnx', 'model.onnx');
  }
  const tokenizerFile = spec.tokenizer ?? 'tokenizer.json';
  const modelPath = resolve(base, modelFile);
  const tokenizerPath = resolve(base, tokenizerFile);

  const pinned = source?.files ?? spec.build?.files;
  if (pinned !== undefined) {
    // A fetched model names the fetch command; a built one, its build command (which fetches first).
    const command = spec.build?.command ?? FETCH_COMMAND;
    const what =
      source !== undefined
        ? `fetched: run \`${command}\` to download ${source.maven} into ${base}`
        : `built: run \`${command}\``;
    const listed = pinned.map((f) => f.file);
    if (!listed.includes(modelFile))
      fail(['file'], `"${modelFile}" is not among the pinned files (${listed.join(', ')})`);
    if (!listed.includes(tokenizerFile)) {
      fail(['tokenizer'], `"${tokenizerFile}" is not among the pinned files (${listed.join(', ')})`);
    }
    for (const file of pinned) {
      const path = join(base, file.file);
      const size = await isFile(path);
      if (size === undefined) {
        throw new LivepipeError(
          'LP_MODEL_NOT_FOUND',
          `model "${name}" (${manifestPath}) is not ${what}: ${path} does not exist`,
        );
      }
      if (size !== file.size) {
        throw new LivepipeError(
          'LP_MODEL_INVALID',
          `${path} has ${size} bytes, not the ${file.size} that ${manifestPath} pins; run \`${command}\`, ` +
            (source !== undefined ? 'which re-checks the cached files and replaces damaged ones' : 'which rebuilds it'),
        );
      }
    }
  } else {
    for (const [field, path] of [
      ['file', modelPath],
      ['tokenizer', tokenizerPath],
    ] as const) {
      if ((await isFile(path)) === undefined) {
        throw new LivepipeError(
          'LP_MODEL_NOT_FOUND',
          `${path} (field "${field}" of ${manifestPath}) does not exist; ${EXPORT_HINT}`,
        );
      }
    }
    if (spec.sha256 !== undefined) {
      const actual = createHash('sha256')
        .update(await readFile(modelPath))
        .digest('hex');
      if (actual !== spec.sha256) fail(['sha256'], `${modelPath} has sha256 ${actual}, not the manifest's`);
    }
  }

  const configPath = resolve(base, spec.config ?? 'config.json');
  const config = await readJsonObject(configPath);
  if (config === undefined && spec.config !== undefined) {
    throw new LivepipeError('LP_MODEL_NOT_FOUND', `${configPath} (field "config" of ${manifestPath}) does not exist`);
  }
  const tokenizerConfigPath = join(dirname(tokenizerPath), 'tokenizer_config.json');
  const tokenizerConfig = await readJsonObject(tokenizerConfigPath);

  const positions = integerField(config, 'max_position_embeddings');
  let maxLength = spec.maxLength ?? modelMaxLength(tokenizerConfig);
  if (maxLength === undefined) {
    const tokenizerJson = await readJsonObject(tokenizerPath);
    maxLength = integerField(tokenizerJson?.truncation as JsonObject | undefined, 'max_length');
  }
  maxLength ??= Math.min(DEFAULT_MAX_LENGTH, positions ?? DEFAULT_MAX_LENGTH);
  if (positions !== undefined && maxLength > positions) {
    fail(['maxLength'], `${maxLength} exceeds the model's max_position_embeddings (${positions}) in ${configPath}`);
  }

  return {
    name,
    version: spec.version ?? (source === undefined ? 'unversioned' : (source.maven.split(':')[2] as string)),
    base,
    modelPath,
    tokenizerPath,
    tokenizerConfigPath: tokenizerConfig === undefined ? undefined : tokenizerConfigPath,
    config,
    configPath,
    maxLength,
  };
}

/** The fields every transformer manifest carries, from the spec and its resolved files. */
export function transformerManifestBase(spec: TransformerManifestSpec, files: TransformerFiles, manifestPath: string) {
  return {
    name: files.name,
    version: files.version,
    description: spec.description,
    task: spec.task,
    manifestPath,
    modelPath: files.modelPath,
    tokenizerPath: files.tokenizerPath,
    tokenizerConfigPath: files.tokenizerConfigPath,
    maxLength: files.maxLength,
    output: spec.output,
    source: spec.source,
    build: spec.build,
    training: spec.training,
    metrics: spec.metrics,
    license: spec.license,
    attribution: spec.attribution,
  };
}

const FED_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;

export interface TransformerOutput {
  batch: TokenizedBatch;
  /** The output tensor's data and dimensions. */
  data: Float32Array;
  dims: readonly number[];
}

export interface BoundTransformer {
  outputName: string;
  /** The output's last dimension when the graph declares it. */
  outputWidth: number | undefined;
  run(texts: readonly string[]): Promise<TransformerOutput>;
}

/**
 * Opens the tokenizer and checks the session: it must take input_ids and attention_mask (int64),
 * may take token_type_ids, nothing else; the output read is the manifest's, else `defaultOutput`
 * when the graph has it, else the graph's only output; its rank must be `rank`.
 */
export async function bindTransformer(
  manifest: TransformerModelManifest,
  session: ort.InferenceSession,
  defaultOutput: string,
  rank: number,
): Promise<BoundTransformer> {
  const where = `${manifest.modelPath} (named by ${manifest.manifestPath})`;
  const invalid = (message: string): never => {
    throw new LivepipeError('LP_MODEL_INVALID', `${where}: ${message}`);
  };
  const unknownInputs = session.inputNames.filter((name) => !(FED_INPUTS as readonly string[]).includes(name));
  if (
    unknownInputs.length > 0 ||
    !session.inputNames.includes('input_ids') ||
    !session.inputNames.includes('attention_mask')
  ) {
    invalid(
      `the graph takes inputs [${session.inputNames.join(', ')}]; livepipe feeds input_ids and attention_mask, ` +
        'and token_type_ids when the graph has it',
    );
  }
  for (const input of session.inputMetadata) {
    if (input.isTensor && input.type !== 'int64') {
      invalid(`input "${input.name}" is ${input.type}; Hugging Face exports take int64 token ids (re-export it)`);
    }
  }
  const feedTokenTypes = session.inputNames.includes('token_type_ids');

  let outputName = manifest.output;
  if (outputName === undefined) {
    if (session.outputNames.includes(defaultOutput)) outputName = defaultOutput;
    else if (session.outputNames.length === 1) outputName = session.outputNames[0];
  }
  if (outputName === undefined || !session.outputNames.includes(outputName)) {
    return invalid(
      `${outputName === undefined ? `no output "${defaultOutput}"` : `no output "${outputName}"`} among ` +
        `[${session.outputNames.join(', ')}]; name the one to read in the manifest's "output"`,
    );
  }
  const metadata = session.outputMetadata.find((m) => m.name === outputName);
  let outputWidth: number | undefined;
  if (metadata?.isTensor && metadata.shape.length > 0) {
    if (metadata.shape.length !== rank) {
      invalid(`output "${outputName}" has shape [${metadata.shape.join(', ')}]; expected ${rank} dimensions`);
    }
    const last = metadata.shape[metadata.shape.length - 1];
    outputWidth = typeof last === 'number' ? last : undefined;
  }

  const tokenizerConfig =
    manifest.tokenizerConfigPath === undefined ? undefined : await readJsonObject(manifest.tokenizerConfigPath);
  const tokenizer = await HuggingFaceTokenizer.fromFile(manifest.tokenizerPath, {
    maxLength: manifest.maxLength,
    tokenizerConfig,
  });
  const fetches = [outputName];
  const name = outputName;

  return {
    outputName,
    outputWidth,
    async run(texts) {
      const batch = tokenizer.encodeBatch(texts);
      const shape = [batch.batchSize, batch.sequenceLength];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', batch.inputIds, shape),
        attention_mask: new ort.Tensor('int64', batch.attentionMask, shape),
      };
      if (feedTokenTypes) feeds.token_type_ids = new ort.Tensor('int64', batch.tokenTypeIds, shape);
      const output = (await session.run(feeds, fetches))[name]!;
      if (output.type !== 'float32') invalid(`output "${name}" is ${output.type}; livepipe reads float32 outputs`);
      return { batch, data: output.data as Float32Array, dims: output.dims };
    },
  };
}
