// Re-measures the bundled model with the real ONNX runtime on the same held-out split the build used.
import { fileURLToPath } from 'node:url';
import Sentiment from 'sentiment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelManifest } from '../../../src/inference/model-registry.js';
import { ModelRunner } from '../../../src/inference/model-runner.js';
import type { ModelManifest } from '../../../src/inference/model-manifest.js';
import { loadSentimentSentences, splitSentences } from '../../../models/sentiment-data.js';

const manifestPath = fileURLToPath(new URL('../../../models/chat-sentiment-mlp.yaml', import.meta.url));

describe('bundled chat-sentiment MLP (the fallback model)', () => {
  let manifest: ModelManifest;
  let runner: ModelRunner;

  beforeAll(async () => {
    manifest = await loadModelManifest(manifestPath);
    runner = await ModelRunner.open(manifest);
  });
  afterAll(async () => {
    await runner?.close();
  });

  function heldOut() {
    const split = manifest.training?.split as { seed: number; testFraction: number };
    return splitSentences(loadSentimentSentences(), split.seed, split.testFraction).test;
  }

  it('holds out the number of sentences the manifest reports', () => {
    expect(heldOut().length).toBe((manifest.metrics as { heldOutSize: number }).heldOutSize);
  });

  it('reaches the manifest accuracy on the held-out split and beats the AFINN baseline there', async () => {
    const test = heldOut();
    const { results } = await runner.run(test.map((s) => s.text));
    const correct = results.filter(
      (result, i) => result.label === (test[i]!.label === 1 ? 'positive' : 'negative'),
    ).length;
    const accuracy = correct / test.length;

    const analyzer = new Sentiment();
    const afinnCorrect = test.filter((s) => (analyzer.analyze(s.text).score >= 0 ? 1 : 0) === s.label).length;
    const metrics = manifest.metrics as { heldOutAccuracy: number; afinnBaselineAccuracy: number };

    expect(accuracy).toBeGreaterThanOrEqual(metrics.heldOutAccuracy - 1e-3);
    expect(afinnCorrect / test.length).toBeCloseTo(metrics.afinnBaselineAccuracy, 3);
    expect(accuracy).toBeGreaterThan(afinnCorrect / test.length);
  });

  it('returns probabilities that sum to one, with the label of the larger one', async () => {
    const { results } = await runner.run(['I love this so much', 'this is terrible and boring', '']);
    for (const result of results) {
      expect(result.scores.negative! + result.scores.positive!).toBeCloseTo(1, 5);
      expect(result.score).toBe(Math.max(result.scores.negative!, result.scores.positive!));
      expect(result.scores[result.label]).toBe(result.score);
    }
  });

  it('flags a comment containing an AFINN word scored -4 or lower and passes a clean one', async () => {
    const { results } = await runner.run(['you are a bastard, what bullshit', 'lovely stream, thanks']);
    expect(results[0]!.moderation).toEqual({ flagged: true, matches: 2 });
    expect(results[1]!.moderation).toEqual({ flagged: false, matches: 0 });
  });
});
