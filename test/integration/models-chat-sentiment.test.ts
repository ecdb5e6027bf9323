// The built chat-sentiment models (MiniLM-q or bge-small-zh + pooling + head in one ONNX graph): each graph
// equals the TypeScript path it was trained on, the build reproduces the pinned bytes, and every
// accuracy the manifest reports is measured again here.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGLISH_CHAT_EVAL } from '../../models/chat-eval-en.js';
import { CHINESE_CHAT_EVAL } from '../../models/chat-zh.js';
import { CHINESE_CHAT_LINES } from '../../models/chinese-chat-lines.js';
import { afinnLabel, MLP_MANIFEST, runnerLabels, scoreLabels } from '../../models/chat-sentiment-eval.js';
import {
  BUILD_CHAT_COMMAND,
  CHINESE,
  ENGLISH,
  composeChatSentiment,
  describeFiles,
  loadEncoder,
  readHead,
  sha256Hex,
} from '../../models/chat-sentiment-files.js';
import type { LinearHead } from '../../models/classifier-graph.js';
import { headProbabilities } from '../../models/linear-head.js';
import { loadSentimentSentences, splitSentences } from '../../models/sentiment-data.js';
import { isLivepipeError } from '../../src/errors.js';
import type { ModelManifest, TransformerModelManifest } from '../../src/inference/model-manifest.js';
import { loadModelManifest } from '../../src/inference/model-registry.js';
import { ModelRunner } from '../../src/inference/model-runner.js';

async function builtModel(): Promise<ModelManifest | undefined> {
  const manifest = await loadModelManifest(ENGLISH.manifestPath);
  if (manifest.fallbackFor === undefined) return manifest;
  const why = `chat-sentiment is not built (${manifest.fallbackFor.reason}); run \`${BUILD_CHAT_COMMAND}\``;
  if (process.env.CI === 'true') throw new Error(`models-chat-sentiment: CI=true requires the built model, but ${why}`);
  console.warn(`models-chat-sentiment skipped: ${why}`);
  return undefined;
}

const manifest = await builtModel();

interface Comparison {
  model: { accuracy: number; correct: number; n: number };
  mlp: { accuracy: number; correct: number; n: number };
  afinn: { accuracy: number; correct: number; n: number };
}

describe.skipIf(manifest === undefined)('chat-sentiment (MiniLM-q + linear head, one graph)', () => {
  let composed: ModelRunner;
  let encoder: ModelRunner;
  let mlp: ModelRunner;
  let head: LinearHead;
  const metrics = manifest?.metrics as { comparison: Record<string, Comparison>; heldOutAccuracy: number };
  const split = manifest?.training?.split as { seed: number; testFraction: number };
  const heldOut = splitSentences(loadSentimentSentences(), split?.seed ?? 0, split?.testFraction ?? 0).test;
  const heldOutLabels = heldOut.map((s) => (s.label === 1 ? 'positive' : 'negative'));

  beforeAll(async () => {
    composed = await ModelRunner.open(manifest!);
    encoder = await ModelRunner.open(await loadEncoder());
    mlp = await ModelRunner.open(await loadModelManifest(MLP_MANIFEST));
    head = await readHead();
  });
  afterAll(async () => {
    await composed?.close();
    await encoder?.close();
    await mlp?.close();
  });

  it('equals embedding → head in TypeScript within 1e-4 on the held-out split', async () => {
    let worst = 0;
    for (const sentence of heldOut) {
      const [embedding] = await encoder.embed([sentence.text]);
      const expected = headProbabilities(head, embedding!);
      const { results } = await composed.run([sentence.text]);
      worst = Math.max(
        worst,
        Math.abs(results[0]!.scores.negative! - expected[0]!),
        Math.abs(results[0]!.scores.positive! - expected[1]!),
      );
    }
    expect(worst).toBeLessThan(1e-4);
  }, 60_000);

  it('builds the pinned bytes from the fetched encoder and the committed head, as the cache holds', async () => {
    const built = describeFiles(await composeChatSentiment(await loadEncoder(), head));
    expect(built).toEqual((manifest as TransformerModelManifest).build?.files);
    expect(sha256Hex(await readFile(manifest!.modelPath))).toBe(built[0]!.sha256);
  });

  it.each([
    ['heldOut', () => heldOut.map((s) => s.text), () => heldOutLabels],
    ['chatEval', () => ENGLISH_CHAT_EVAL.map((l) => l.text), () => ENGLISH_CHAT_EVAL.map((l) => l.label)],
    [
      'chatEvalHardOnly',
      () => ENGLISH_CHAT_EVAL.filter((l) => l.hard).map((l) => l.text),
      () => ENGLISH_CHAT_EVAL.filter((l) => l.hard).map((l) => l.label),
    ],
  ] as const)(
    'measures the manifest accuracies on %s again: model, MLP and AFINN',
    async (set, texts, labels) => {
      const expected = metrics.comparison[set]!;
      const ofModel = scoreLabels(await runnerLabels(composed, texts()), labels());
      const ofMlp = scoreLabels(await runnerLabels(mlp, texts()), labels());
      const ofAfinn = scoreLabels(texts().map(afinnLabel), labels());
      expect(ofModel.correct).toBe(expected.model.correct);
      expect(ofMlp.correct).toBe(expected.mlp.correct);
      expect(ofAfinn.correct).toBe(expected.afinn.correct);
    },
    60_000,
  );

  it('beats the MLP and AFINN on the chat lines it never saw', () => {
    const chat = metrics.comparison.chatEval!;
    expect(chat.model.accuracy).toBeGreaterThan(chat.mlp.accuracy);
    expect(chat.model.accuracy).toBeGreaterThan(chat.afinn.accuracy);
  });

  it('keeps the moderation flag of the lexicon postprocessor', async () => {
    const { results } = await composed.run(['you are such an idiot', 'stupid lag again']);
    expect(results.map((r) => r.moderation?.flagged)).toEqual([true, false]);
  });
});

const chinese = await builtChinese();

async function builtChinese(): Promise<ModelManifest | undefined> {
  try {
    return await loadModelManifest(CHINESE.manifestPath);
  } catch (error) {
    if (!isLivepipeError(error) || error.code !== 'LP_MODEL_NOT_FOUND') throw error;
    if (process.env.CI === 'true')
      throw new Error(`models-chat-sentiment: CI=true requires the built model, but ${error.message}`);
    console.warn(`models-chat-sentiment (zh) skipped: ${error.message}`);
    return undefined;
  }
}

describe.skipIf(chinese === undefined)('chat-sentiment-zh (bge-small-zh + prototype head, one graph)', () => {
  let composed: ModelRunner;
  let encoder: ModelRunner;
  let head: LinearHead;
  const metrics = chinese?.metrics as Record<string, { correct: number; n: number }>;

  beforeAll(async () => {
    composed = await ModelRunner.open(chinese!);
    encoder = await ModelRunner.open(await loadEncoder(CHINESE));
    head = await readHead(CHINESE);
  });
  afterAll(async () => {
    await composed?.close();
    await encoder?.close();
  });

  it('equals CLS embedding → prototype head in TypeScript within 1e-4', async () => {
    let worst = 0;
    for (const text of [...CHINESE_CHAT_EVAL.map((line) => line.text), ...CHINESE_CHAT_LINES]) {
      const [embedding] = await encoder.embed([text]);
      const expected = headProbabilities(head, embedding!);
      const { results } = await composed.run([text]);
      worst = Math.max(
        worst,
        Math.abs(results[0]!.scores.negative! - expected[0]!),
        Math.abs(results[0]!.scores.positive! - expected[1]!),
      );
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('builds the pinned bytes from the fetched encoder and the committed prototypes', async () => {
    const built = describeFiles(await composeChatSentiment(await loadEncoder(CHINESE), head, CHINESE));
    expect(built).toEqual((chinese as TransformerModelManifest).build?.files);
  });

  it('measures the manifest accuracy on the Chinese lines it never used as prototypes again', async () => {
    const labels = await runnerLabels(
      composed,
      CHINESE_CHAT_EVAL.map((line) => line.text),
    );
    const scored = scoreLabels(
      labels,
      CHINESE_CHAT_EVAL.map((line) => line.label),
    );
    expect(scored.correct).toBe(metrics.chatEval!.correct);
    expect(scored.accuracy).toBeGreaterThan(0.7);
  });
});
