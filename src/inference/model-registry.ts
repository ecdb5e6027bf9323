// Loads model manifests (models/*.yaml) next to their ONNX files and validates them once, at start,
// with errors that name the file, line and field, so a worker never meets a bad manifest.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { LivepipeError } from '../errors.js';
import { featurizerKind, featurizerKindNames } from './featurizers/featurizer-registry.js';
import { modelManifestSchema, type ModelManifest } from './model-manifest.js';
import { postprocessorKind, postprocessorKindNames } from './postprocessors/postprocessor-registry.js';
import type { PostprocessorModel } from './postprocessors/postprocessor.js';

const BUILD_HINT = 'for the bundled model run `npm run models:build`; for your own model put the .onnx file there';

export async function loadModelManifest(path: string): Promise<ModelManifest> {
  const manifestPath = resolve(path);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LivepipeError(
        'LP_MODEL_NOT_FOUND',
        `model manifest ${manifestPath} does not exist; check the path (${BUILD_HINT})`,
        {
          cause: error,
        },
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

  const spec = check(modelManifestSchema, document.toJS(), []);

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
  const postprocessors = spec.postprocess.map((entry, index) => {
    const kind = postprocessorKind(entry.kind);
    if (kind === undefined) {
      return fail(
        ['postprocess', index, 'kind'],
        `unknown postprocessor "${entry.kind}"; known kinds: ${postprocessorKindNames().join(', ')}`,
      );
    }
    const parsed = check(kind.schema, entry, ['postprocess', index]);
    // Build once now so that spec errors (unknown output, label count) surface at load, not in a worker.
    kind.create(parsed, postprocessModel);
    return { kind, spec: parsed };
  });
  const labelHeads = postprocessors.filter((p) => p.kind.producesLabel).length;
  if (labelHeads !== 1) {
    fail(['postprocess'], `expected exactly one label postprocessor (e.g. softmax-label), found ${labelHeads}`);
  }

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

  return {
    ...spec,
    manifestPath,
    modelPath,
    createFeaturizer: () => featurizerEntry!.create(featurizerSpec),
    createPostprocessors: () => postprocessors.map(({ kind, spec: entry }) => kind.create(entry, postprocessModel)),
  };
}

/** Every manifest (*.yaml, *.yml) in a folder, e.g. models/, sorted by file name. */
export async function listModelManifests(folder: string): Promise<ModelManifest[]> {
  const names = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return Promise.all(names.map((name) => loadModelManifest(join(folder, name))));
}
