// Loads model manifests (models/*.yaml) and validates them once, at start, with errors that name
// the file, line and field, so a worker never meets a bad manifest. The manifest's kind
// (model-kinds/) resolves and checks its files: beside the manifest, in a Hugging Face export
// folder, or in the model cache that `npm run models:fetch` fills.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { isLivepipeError, LivepipeError } from '../errors.js';
import type { ModelSource } from './fetch/model-source.js';
import { modelsCacheDir } from './fetch/model-source.js';
import type { ModelManifest } from './model-manifest.js';
import type { ManifestContext, ModelKind } from './model-kinds/model-kind.js';
import { modelKind, modelKindNameOf, modelTaskNames } from './model-kinds/model-kind-registry.js';
import { nameFromManifestPath } from './model-kinds/transformer-model.js';

export interface LoadModelOptions {
  /** The model cache root; default $LIVEPIPE_MODELS_DIR or ~/.cache/livepipe/models. */
  modelsDir?: string;
}

interface ParsedManifest {
  context: ManifestContext;
  kind: ModelKind;
  spec: unknown;
}

async function parseManifest(path: string, options: LoadModelOptions): Promise<ParsedManifest> {
  const manifestPath = resolve(path);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LivepipeError(
        'LP_MODEL_NOT_FOUND',
        `no model manifest at ${manifestPath}; check the path (the manifests that ship are in models/: ` +
          'chat-sentiment.yaml, chat-sentiment-zh.yaml, chat-sentiment-mlp.yaml, …)',
        { cause: error },
      );
    }
    throw error;
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError !== undefined) {
    const line = lineCounter.linePos(syntaxError.pos[0]).line;
    throw new LivepipeError('LP_MODEL_INVALID', `${manifestPath}:${line}: not valid YAML: ${syntaxError.message}`);
  }
  const fail = (field: PropertyKey[], message: string): never => {
    const node = document.getIn(field, true) as { range?: [number, number, number] } | undefined;
    const at = node?.range === undefined ? '' : `:${lineCounter.linePos(node.range[0]).line}`;
    const name = field.length === 0 ? '(document)' : field.map(String).join('.');
    throw new LivepipeError('LP_MODEL_INVALID', `${manifestPath}${at}: field "${name}": ${message}`);
  };
  const check = <T>(schema: z.ZodType<T>, value: unknown, at: PropertyKey[]): T => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    return fail([...at, ...(issue?.path ?? [])], issue?.message ?? 'invalid');
  };

  const raw = document.toJS() as unknown;
  const kindName = modelKindNameOf(raw);
  const kind = kindName === undefined ? undefined : modelKind(kindName);
  if (kind === undefined) {
    return fail(
      ['task'],
      `expected one of ${modelTaskNames().join(', ')} (or a featurizer section for a featurized model)`,
    );
  }
  const context: ManifestContext = {
    manifestPath,
    modelsDir: options.modelsDir ?? modelsCacheDir(),
    fail,
    check,
  };
  return { context, kind, spec: check(kind.schema, raw, []) };
}

export async function loadModelManifest(path: string, options: LoadModelOptions = {}): Promise<ModelManifest> {
  const { context, kind, spec } = await parseManifest(path, options);
  const fallback = (spec as { fallback?: string }).fallback;
  if (fallback === undefined) return kind.load(spec, context);
  try {
    return await kind.load(spec, context);
  } catch (error) {
    // Only a model whose files are absent falls back; a damaged or invalid one still fails loudly.
    if (!isLivepipeError(error) || error.code !== 'LP_MODEL_NOT_FOUND') throw error;
    const fallbackPath = resolve(dirname(context.manifestPath), fallback);
    const loaded = await loadModelManifest(fallbackPath, options);
    // It serves under the name asked for, so result types and queues stay those of the pipeline.
    loaded.name = (spec as { name?: string }).name ?? nameFromManifestPath(context.manifestPath);
    loaded.fallbackFor = { manifestPath: context.manifestPath, reason: error.message };
    return loaded;
  }
}

export interface ModelSourceEntry {
  manifestPath: string;
  name: string;
  /** Undefined for a model whose files are not fetched (bundled, or beside the manifest). */
  source?: ModelSource;
}

/** A validated manifest's name and `source`, without touching the model's files (for `models:fetch`). */
export async function readModelSource(path: string): Promise<ModelSourceEntry> {
  const { context, spec } = await parseManifest(path, {});
  const fields = spec as { name?: string; source?: ModelSource };
  return {
    manifestPath: context.manifestPath,
    name: fields.name ?? nameFromManifestPath(context.manifestPath),
    source: fields.source,
  };
}

/** The manifest files (*.yaml, *.yml) of a folder, e.g. models/, sorted by file name. */
export async function modelManifestPaths(folder: string): Promise<string[]> {
  const names = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => join(folder, name));
}

/** Every manifest of a folder, loaded (so a fetched model that is missing fails the call). */
export async function listModelManifests(folder: string, options: LoadModelOptions = {}): Promise<ModelManifest[]> {
  return Promise.all((await modelManifestPaths(folder)).map((path) => loadModelManifest(path, options)));
}
