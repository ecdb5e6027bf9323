// The transformer model kinds on tiny ONNX graphs in the Hugging Face export layout, built here
// (test/fixtures/huggingface-export.ts) with a small WordPiece tokenizer.json: manifests (the
// one-line form included), labels, inputs, pooling and the errors a user meets.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModelManifest } from '../../../../src/inference/model-registry.js';
import { ModelRunner } from '../../../../src/inference/model-runner.js';
import { weightTable, writeHuggingFaceExport } from '../../../fixtures/huggingface-export.js';
import { livepipeErrorOf } from '../../../support/livepipe-error.js';

const tokenizerJson = readFileSync(
  fileURLToPath(new URL('../../../fixtures/tokenizers/tiny-wordpiece.json', import.meta.url)),
  'utf8',
);
const VOCAB = 35;
// Token ids in tiny-wordpiece.json.
const ID = { CLS: 2, SEP: 3, the: 5, stream: 6, is: 7, lag: 8, ging: 9, great: 11, play: 12, what: 13, a: 14 };
const sentimentTable = weightTable(VOCAB, 2, {
  [ID.lag]: [2, 0],
  24: [2, 0], // freez
  [ID.great]: [0, 2],
  [ID.play]: [0, 1.5],
});
const id2label = { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_position_embeddings: 64 };

describe('transformer model kinds', () => {
  let dir: string;
  const runners: ModelRunner[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'livepipe-kinds-'));
  });
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const manifest = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const open = async (path: string): Promise<ModelRunner> => {
    const runner = await ModelRunner.open(await loadModelManifest(path));
    runners.push(runner);
    return runner;
  };

  describe('text-classification', () => {
    it('loads an export folder from a two-line manifest, with labels from config.json id2label', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-classification', table: sentimentTable, columns: 2, extraInputs: ['token_type_ids'] },
        tokenizerJson,
        id2label,
      );
      const path = manifest('Chat Mood.yaml', 'huggingface: ./export\ntask: text-classification\n');
      const loaded = await loadModelManifest(path);
      expect(loaded).toMatchObject({
        name: 'chat-mood',
        version: 'unversioned',
        modelKind: 'transformer-classifier',
        labels: ['NEGATIVE', 'POSITIVE'],
        maxLength: 64,
        modelPath: join(dir, 'export', 'model.onnx'),
      });

      const runner = await open(path);
      const { results, tokenCounts, sequenceLength } = await runner.run([
        'the stream is lagging',
        'what a great play',
        'what a great play but the stream is lagging, lagging',
      ]);
      expect(results.map((r) => r.label)).toEqual(['NEGATIVE', 'POSITIVE', 'NEGATIVE']);
      // logits [2, 0] → softmax: e^2 / (e^2 + 1)
      expect(results[0]!.score).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 1), 5);
      expect(results[1]!.scores.POSITIVE! + results[1]!.scores.NEGATIVE!).toBeCloseTo(1, 6);
      expect(Array.from(tokenCounts!)).toEqual([7, 6, 15]);
      expect(sequenceLength).toBe(15);
    });

    it('feeds token_type_ids only to a graph that takes it', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-classification', table: sentimentTable, columns: 2 },
        tokenizerJson,
        id2label,
      );
      const runner = await open(manifest('m.yaml', 'huggingface: export\ntask: text-classification\n'));
      expect((await runner.run(['what a great play'])).results[0]!.label).toBe('POSITIVE');
    });

    it('takes labels from the manifest before config.json, and keeps extra postprocessors', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-classification', table: sentimentTable, columns: 2 },
        tokenizerJson,
        id2label,
      );
      const runner = await open(
        manifest(
          'm.yaml',
          [
            'huggingface: export',
            'task: text-classification',
            'labels: [bad, good]',
            'postprocess:',
            '  - kind: softmax-label',
            '    from: logits',
            '  - kind: lexicon-moderation',
            '    lexicon: test',
            '    rule: test',
            '    loaded: build-time',
            '    words: [lagging]',
            '',
          ].join('\n'),
        ),
      );
      const [result] = (await runner.run(['the stream is lagging'])).results;
      expect(result).toMatchObject({ label: 'bad', moderation: { flagged: true, matches: 1 } });
    });

    it('asks for labels when neither the manifest nor config.json has them', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-classification', table: sentimentTable, columns: 2 },
        tokenizerJson,
      );
      const error = await livepipeErrorOf(
        loadModelManifest(manifest('m.yaml', 'huggingface: export\ntask: text-classification\n')),
      );
      expect(error.code).toBe('LP_MODEL_INVALID');
      expect(error.message).toContain('field "labels"');
      expect(error.message).toContain('id2label');
    });

    it('refuses labels that do not match the logits columns', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-classification', table: sentimentTable, columns: 2 },
        tokenizerJson,
      );
      const path = manifest('m.yaml', 'huggingface: export\ntask: text-classification\nlabels: [a, b, c]\n');
      const error = await livepipeErrorOf(open(path));
      expect(error.message).toContain('2 columns but there are 3 labels');
    });

    it('names the output to set when the graph has no logits', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-classification', table: sentimentTable, columns: 2, output: 'scores' },
        tokenizerJson,
        id2label,
      );
      // The graph's only output is taken; a wrong name is refused with the outputs listed.
      const runner = await open(manifest('ok.yaml', 'huggingface: export\ntask: text-classification\n'));
      expect((await runner.run(['great'])).results[0]!.label).toBe('POSITIVE');
      const error = await livepipeErrorOf(
        open(manifest('bad.yaml', 'huggingface: export\ntask: text-classification\noutput: logits\n')),
      );
      expect(error.message).toContain('no output "logits" among [scores]');
    });
  });

  describe('text-embedding', () => {
    // Four dimensions; "the" and "stream" have vectors, everything else (CLS/SEP included) is zero.
    const table = weightTable(VOCAB, 4, { [ID.CLS]: [1, 0, 0, 0], [ID.the]: [0, 2, 0, 0], [ID.stream]: [0, 0, 4, 0] });

    it('mean-pools over the attention mask and L2-normalises', async () => {
      writeHuggingFaceExport(join(dir, 'export'), { task: 'text-embedding', table, columns: 4 }, tokenizerJson, {
        hidden_size: 4,
      });
      const runner = await open(manifest('e.yaml', 'huggingface: export\ntask: text-embedding\nnormalize: false\n'));
      // [CLS] the stream [SEP] → mean of [1,0,0,0], [0,2,0,0], [0,0,4,0], [0,0,0,0]; the padded row ignores padding.
      const [long, short] = await runner.embed(['the stream', 'the']);
      expect(Array.from(long!)).toEqual([0.25, 0.5, 1, 0]);
      expect(Array.from(short!).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0.333333, 0.666667, 0, 0]);

      const normalized = await open(manifest('n.yaml', 'huggingface: export\ntask: text-embedding\n'));
      const [vector] = await normalized.embed(['the stream']);
      expect(Math.hypot(...vector!)).toBeCloseTo(1, 6);
      expect(vector![2]! / vector![1]!).toBeCloseTo(2, 6);
    });

    it('takes CLS pooling from a sentence-transformers 1_Pooling/config.json', async () => {
      const export_ = writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-embedding', table, columns: 4 },
        tokenizerJson,
      );
      mkdirSync(join(export_, '1_Pooling'));
      writeFileSync(join(export_, '1_Pooling', 'config.json'), JSON.stringify({ pooling_mode_cls_token: true }));
      const path = manifest('e.yaml', 'huggingface: export\ntask: text-embedding\n');
      expect((await loadModelManifest(path)) as { pooling?: string }).toMatchObject({ pooling: 'cls' });
      const [vector] = await (await open(path)).embed(['the stream']);
      expect(Array.from(vector!)).toEqual([1, 0, 0, 0]);
    });

    it('gives each result its embedding and an empty label through run()', async () => {
      writeHuggingFaceExport(join(dir, 'export'), { task: 'text-embedding', table, columns: 4 }, tokenizerJson);
      const runner = await open(manifest('e.yaml', 'huggingface: export\ntask: text-embedding\n'));
      const { results } = await runner.run(['the', 'stream']);
      expect(results.map((r) => [r.label, r.embedding?.length])).toEqual([
        ['', 4],
        ['', 4],
      ]);
    });

    it('refuses a width other than the declared dimensions', async () => {
      writeHuggingFaceExport(join(dir, 'export'), { task: 'text-embedding', table, columns: 4 }, tokenizerJson);
      const error = await livepipeErrorOf(
        open(manifest('e.yaml', 'huggingface: export\ntask: text-embedding\ndimensions: 8\n')),
      );
      expect(error.message).toContain('is 4 wide, not 8');
    });
  });

  describe('manifest errors', () => {
    it('names the missing export folder', async () => {
      const error = await livepipeErrorOf(
        loadModelManifest(manifest('m.yaml', 'huggingface: ./nowhere\ntask: text-embedding\n')),
      );
      expect(error.code).toBe('LP_MODEL_NOT_FOUND');
      expect(error.message).toContain(join(dir, 'nowhere'));
    });

    it('names a missing tokenizer.json', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-embedding', table: sentimentTable, columns: 2 },
        tokenizerJson,
      );
      rmSync(join(dir, 'export', 'tokenizer.json'));
      const error = await livepipeErrorOf(
        loadModelManifest(manifest('m.yaml', 'huggingface: export\ntask: text-embedding\n')),
      );
      expect(error.code).toBe('LP_MODEL_NOT_FOUND');
      expect(error.message).toContain(join(dir, 'export', 'tokenizer.json'));
    });

    it('says to run models:fetch for a fetched model that is not in the cache', async () => {
      const path = manifest(
        'fetched.yaml',
        [
          'task: text-embedding',
          'source:',
          '  maven: a.b:c:1.0',
          '  files:',
          `    - { entry: m.onnx, file: model.onnx, sha256: ${'a'.repeat(64)}, size: 10 }`,
          `    - { entry: t.json, file: tokenizer.json, sha256: ${'b'.repeat(64)}, size: 10 }`,
          '',
        ].join('\n'),
      );
      const modelsDir = join(dir, 'cache');
      let error = await livepipeErrorOf(loadModelManifest(path, { modelsDir }));
      expect(error.code).toBe('LP_MODEL_NOT_FOUND');
      expect(error.message).toContain('is not fetched');
      expect(error.message).toContain('`npm run models:fetch`');
      expect(error.message).toContain(join(modelsDir, 'fetched', 'model.onnx'));

      mkdirSync(join(modelsDir, 'fetched'), { recursive: true });
      writeFileSync(join(modelsDir, 'fetched', 'model.onnx'), 'short');
      writeFileSync(join(modelsDir, 'fetched', 'tokenizer.json'), '0123456789');
      error = await livepipeErrorOf(loadModelManifest(path, { modelsDir }));
      expect(error.code).toBe('LP_MODEL_INVALID');
      expect(error.message).toContain('has 5 bytes, not the 10');
    });

    it('names the field and line of an option that does not fit the task', async () => {
      const error = await livepipeErrorOf(
        loadModelManifest(manifest('m.yaml', 'huggingface: export\ntask: text-classification\npooling: mean\n')),
      );
      expect(error.message).toBe(
        `${join(dir, 'm.yaml')}:3: field "pooling": only a text-embedding model takes "pooling"`,
      );
    });

    it('lists the known tasks for an unknown one', async () => {
      const error = await livepipeErrorOf(
        loadModelManifest(manifest('m.yaml', 'huggingface: export\ntask: summarization\n')),
      );
      expect(error.message).toContain('field "task"');
      expect(error.message).toContain('text-classification, text-embedding');
    });

    it('refuses a max length beyond the model positions', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-classification', table: sentimentTable, columns: 2 },
        tokenizerJson,
        id2label,
      );
      const error = await livepipeErrorOf(
        loadModelManifest(manifest('m.yaml', 'huggingface: export\ntask: text-classification\nmaxLength: 128\n')),
      );
      expect(error.message).toContain("exceeds the model's max_position_embeddings (64)");
    });

    it('refuses a graph that needs an input livepipe does not feed', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-classification', table: sentimentTable, columns: 2, extraInputs: ['position_ids'] },
        tokenizerJson,
        id2label,
      );
      const error = await livepipeErrorOf(open(manifest('m.yaml', 'huggingface: export\ntask: text-classification\n')));
      expect(error.code).toBe('LP_MODEL_INVALID');
      expect(error.message).toContain('the graph takes inputs [input_ids, attention_mask, position_ids]');
    });

    it('refuses an output of the wrong rank for the task', async () => {
      writeHuggingFaceExport(
        join(dir, 'export'),
        { task: 'text-embedding', table: sentimentTable, columns: 2, output: 'logits' },
        tokenizerJson,
        id2label,
      );
      const error = await livepipeErrorOf(open(manifest('m.yaml', 'huggingface: export\ntask: text-classification\n')));
      expect(error.message).toContain('output "logits" has shape [batch, sequence, 2]; expected 2 dimensions');
    });
  });
});
