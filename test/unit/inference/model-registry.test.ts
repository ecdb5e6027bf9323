import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFeaturizedManifest } from '../../../src/inference/model-manifest.js';
import { listModelManifests, loadModelManifest } from '../../../src/inference/model-registry.js';
import { ModelRunner } from '../../../src/inference/model-runner.js';
import { livepipeErrorOf } from '../../support/livepipe-error.js';

const modelsDir = fileURLToPath(new URL('../../../models/', import.meta.url));
const bundledManifest = readFileSync(join(modelsDir, 'chat-sentiment-mlp.yaml'), 'utf8');

describe('loadModelManifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'livepipe-model-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function writeManifest(text: string, withModel = true): string {
    const path = join(dir, 'model.yaml');
    writeFileSync(path, text);
    if (withModel) copyFileSync(join(modelsDir, 'chat-sentiment-mlp.onnx'), join(dir, 'chat-sentiment-mlp.onnx'));
    return path;
  }

  it('loads the bundled manifest with absolute paths and the declared featurizer', async () => {
    const manifest = await loadModelManifest(join(modelsDir, 'chat-sentiment-mlp.yaml'));
    expect(manifest.name).toBe('chat-sentiment-mlp');
    expect(manifest.modelPath).toBe(join(modelsDir, 'chat-sentiment-mlp.onnx'));
    if (!isFeaturizedManifest(manifest)) throw new Error('chat-sentiment should load as a featurized model');
    expect(manifest.createFeaturizer().dims).toBe(manifest.inputs[0]!.shape[1]);
    expect(manifest.createPostprocessors()).toHaveLength(manifest.postprocess.length);
  });

  it('lists every manifest of a folder', async () => {
    // A copy of models/ without the fetched models, whose files may not be in this machine's cache.
    writeManifest(bundledManifest);
    writeFileSync(join(dir, 'second.yaml'), bundledManifest.replace('name: chat-sentiment-mlp', 'name: second'));
    const names = (await listModelManifests(dir)).map((m) => m.name);
    expect(names).toEqual(['chat-sentiment-mlp', 'second']);
  });

  it('reports a missing manifest as LP_MODEL_NOT_FOUND with its path', async () => {
    const error = await livepipeErrorOf(loadModelManifest(join(dir, 'nope.yaml')));
    expect(error.code).toBe('LP_MODEL_NOT_FOUND');
    expect(error.message).toContain(join(dir, 'nope.yaml'));
  });

  it('reports a missing ONNX file as LP_MODEL_NOT_FOUND and says how to build it', async () => {
    const error = await livepipeErrorOf(loadModelManifest(writeManifest(bundledManifest, false)));
    expect(error.code).toBe('LP_MODEL_NOT_FOUND');
    expect(error.message).toContain(join(dir, 'chat-sentiment-mlp.onnx'));
    expect(error.message).toContain('npm run models:build');
  });

  it('names the file, line and field of a bad manifest value', async () => {
    const path = writeManifest(bundledManifest.replace('dims: 4096', 'dims: -1'));
    const error = await livepipeErrorOf(loadModelManifest(path));
    expect(error.code).toBe('LP_MODEL_INVALID');
    const line = bundledManifest.split('\n').findIndex((l) => l.includes('dims: 4096')) + 1;
    expect(error.message).toContain(`${path}:${line}`);
    expect(error.message).toContain('featurizer.dims');
  });

  it('rejects an unknown featurizer kind and lists the known ones', async () => {
    const error = await livepipeErrorOf(
      loadModelManifest(writeManifest(bundledManifest.replace('kind: hashed-bow', 'kind: word2vec'))),
    );
    expect(error.code).toBe('LP_MODEL_INVALID');
    expect(error.message).toContain('featurizer.kind');
    expect(error.message).toContain('hashed-bow');
  });

  it('rejects an input width that differs from the featurizer dims', async () => {
    const text = bundledManifest.replace(/(inputs:[\s\S]*?- batch\n\s*- )4096/, '$12048');
    const error = await livepipeErrorOf(loadModelManifest(writeManifest(text)));
    expect(error.message).toContain('inputs.0.shape');
  });

  it('rejects a model file whose sha256 differs from the manifest', async () => {
    const path = writeManifest(bundledManifest);
    writeFileSync(join(dir, 'chat-sentiment-mlp.onnx'), Buffer.from('something else'));
    const error = await livepipeErrorOf(loadModelManifest(path));
    expect(error.code).toBe('LP_MODEL_INVALID');
    expect(error.message).toContain('sha256');
  });

  it('reports a file that is not ONNX as LP_MODEL_INVALID naming the file', async () => {
    const path = writeManifest(bundledManifest.replace(/^sha256: .*\n/m, ''));
    writeFileSync(join(dir, 'chat-sentiment-mlp.onnx'), Buffer.from('definitely not a protobuf \x00\xff\x13 model'));
    const manifest = await loadModelManifest(path);
    const error = await livepipeErrorOf(ModelRunner.open(manifest));
    expect(error.code).toBe('LP_MODEL_INVALID');
    expect(error.message).toContain(join(dir, 'chat-sentiment-mlp.onnx'));
    expect(error.message).toContain('not a loadable ONNX model');
  });

  it('reports a manifest output the ONNX model does not have', async () => {
    const path = writeManifest(
      bundledManifest
        .replace(/^sha256: .*\n/m, '')
        .replace('name: probabilities', 'name: scores')
        .replace('output: probabilities', 'output: scores'),
    );
    const error = await livepipeErrorOf(ModelRunner.open(await loadModelManifest(path)));
    expect(error.code).toBe('LP_MODEL_INVALID');
    expect(error.message).toContain('output "scores"');
  });

  describe('a built model with a fallback', () => {
    const builtManifest = (size = 10) =>
      [
        'task: text-classification',
        'name: built',
        'build:',
        '  command: npm run models:build-chat',
        '  from: [minilm-l6-v2.yaml]',
        '  files:',
        `    - { file: model.onnx, sha256: ${'a'.repeat(64)}, size: ${size} }`,
        `    - { file: tokenizer.json, sha256: ${'b'.repeat(64)}, size: ${size} }`,
        'labels: [negative, positive]',
        'fallback: fallback.yaml',
        '',
      ].join('\n');

    it('loads the fallback under its own name when the built files are absent, saying which and why', async () => {
      writeManifest(bundledManifest);
      writeFileSync(join(dir, 'fallback.yaml'), readFileSync(join(dir, 'model.yaml')));
      writeFileSync(join(dir, 'built.yaml'), builtManifest());
      const manifest = await loadModelManifest(join(dir, 'built.yaml'), { modelsDir: join(dir, 'cache') });
      expect(manifest.name).toBe('built');
      expect(manifest.modelPath).toBe(join(dir, 'chat-sentiment-mlp.onnx'));
      expect(manifest.fallbackFor?.manifestPath).toBe(join(dir, 'built.yaml'));
      expect(manifest.fallbackFor?.reason).toContain('is not built: run `npm run models:build-chat`');
    });

    it('serves models/chat-sentiment.yaml with the bundled MLP when the pretrained model is not built', async () => {
      const manifest = await loadModelManifest(join(modelsDir, 'chat-sentiment.yaml'), {
        modelsDir: join(dir, 'empty'),
      });
      expect(isFeaturizedManifest(manifest)).toBe(true);
      expect(manifest.name).toBe('chat-sentiment');
      expect(manifest.modelPath).toBe(join(modelsDir, 'chat-sentiment-mlp.onnx'));
      expect(manifest.fallbackFor?.reason).toContain('npm run models:build-chat');
      const runner = await ModelRunner.open(manifest);
      const { results } = await runner.run(['what a great stream']);
      await runner.close();
      expect(results[0]!.label).toBe('positive');
    });

    it('does not fall back from a damaged built file: the error names the build command', async () => {
      writeManifest(bundledManifest);
      writeFileSync(join(dir, 'fallback.yaml'), readFileSync(join(dir, 'model.yaml')));
      writeFileSync(join(dir, 'built.yaml'), builtManifest());
      const cache = join(dir, 'cache');
      mkdirSync(join(cache, 'built'), { recursive: true });
      writeFileSync(join(cache, 'built', 'model.onnx'), 'short');
      writeFileSync(join(cache, 'built', 'tokenizer.json'), '0123456789');
      const error = await livepipeErrorOf(loadModelManifest(join(dir, 'built.yaml'), { modelsDir: cache }));
      expect(error.code).toBe('LP_MODEL_INVALID');
      expect(error.message).toContain('has 5 bytes, not the 10');
      expect(error.message).toContain('npm run models:build-chat');
    });

    it('rejects a manifest that has both build and source', async () => {
      writeFileSync(
        join(dir, 'both.yaml'),
        `${builtManifest()}source:\n  maven: a:b:1\n  files: [{ entry: x, file: model.onnx, sha256: ${'c'.repeat(64)}, size: 1 }]\n`,
      );
      const error = await livepipeErrorOf(loadModelManifest(join(dir, 'both.yaml')));
      expect(error.code).toBe('LP_MODEL_INVALID');
      expect(error.message).toContain('field "build"');
    });
  });
});
