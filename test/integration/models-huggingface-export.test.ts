// A user's own Hugging Face/Optimum export, dropped in as a folder: a tiny text-classification
// graph built here (per-token weights summed into logits) with MiniLM's real tokenizer.json and a
// config.json id2label, loaded by a two-line manifest, run directly and through the worker pool.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformerModelManifest } from '../../src/inference/model-manifest.js';
import { loadModelManifest } from '../../src/inference/model-registry.js';
import { ModelRunner } from '../../src/inference/model-runner.js';
import { InferencePool } from '../../src/workers/local/inference-pool.js';
import { weightTable, writeHuggingFaceExport } from '../fixtures/huggingface-export.js';
import { fetchedModels } from './models-cache.js';

const manifests = (await fetchedModels('models-huggingface-export', ['minilm-l6-v2'])) as
  | TransformerModelManifest[]
  | undefined;

const TEXTS = ['the stream is frozen again', 'what an amazing play', 'broken and terrible', 'love this, awesome', 'ok'];
const EXPECTED = ['complaint', 'praise', 'complaint', 'praise', 'neutral'];

describe.skipIf(manifests === undefined)('a Hugging Face export dropped into a folder', () => {
  let dir: string;
  let manifestPath: string;

  beforeAll(() => {
    const minilm = manifests![0]!;
    dir = mkdtempSync(join(tmpdir(), 'livepipe-hf-export-'));
    const tokenizer = JSON.parse(readFileSync(minilm.tokenizerPath, 'utf8')) as {
      model: { vocab: Record<string, number> };
    };
    const vocab = tokenizer.model.vocab;
    const id = (word: string): number => {
      const value = vocab[word];
      if (value === undefined) throw new Error(`"${word}" is not one token of MiniLM's vocabulary`);
      return value;
    };
    // Columns: neutral, complaint, praise. Every token leans neutral a little; a few words decide.
    const table = weightTable(Object.keys(vocab).length, 3, {
      [id('frozen')]: [0, 3, 0],
      [id('broken')]: [0, 3, 0],
      [id('terrible')]: [0, 3, 0],
      [id('amazing')]: [0, 0, 3],
      [id('love')]: [0, 0, 3],
      [id('awesome')]: [0, 0, 3],
      [id('ok')]: [1, 0, 0],
    });
    const exportDir = join(dir, 'chat-mood-onnx');
    writeHuggingFaceExport(
      exportDir,
      { task: 'text-classification', table, columns: 3, extraInputs: ['token_type_ids'] },
      '{}',
      { architectures: ['BertForSequenceClassification'], id2label: { 0: 'neutral', 1: 'complaint', 2: 'praise' } },
    );
    // The real tokenizer, as an export folder would carry it.
    copyFileSync(minilm.tokenizerPath, join(exportDir, 'tokenizer.json'));
    manifestPath = join(dir, 'chat-mood.yaml');
    writeFileSync(manifestPath, 'huggingface: ./chat-mood-onnx\ntask: text-classification\n');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads from the two-line manifest with labels from config.json', async () => {
    const manifest = await loadModelManifest(manifestPath);
    expect(manifest).toMatchObject({
      name: 'chat-mood',
      task: 'text-classification',
      modelKind: 'transformer-classifier',
      labels: ['neutral', 'complaint', 'praise'],
    });
    const runner = await ModelRunner.open(manifest);
    try {
      const { results } = await runner.run(TEXTS);
      expect(results.map((r) => r.label)).toEqual(EXPECTED);
      for (const result of results) {
        expect(Object.values(result.scores).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    } finally {
      await runner.close();
    }
  });

  it('serves it from the worker pool, tokenizing in the worker threads', async () => {
    const pool = new InferencePool({ manifestPath, workers: 1, maxBatch: 8, maxDelayMs: 2, queueLimit: 64 });
    await pool.start();
    try {
      const results = await Promise.all(TEXTS.map((text, i) => pool.infer({ id: `m${i}`, text })));
      expect(results.map((r) => r.label)).toEqual(EXPECTED);
    } finally {
      await pool.close();
    }
  });
});
