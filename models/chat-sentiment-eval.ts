// Measures sentiment labels the same way in the training script and in the test that re-measures
// the manifest's metrics: a ModelRunner one text per batch, and AFINN through the sentiment package.
import { fileURLToPath } from 'node:url';
import Sentiment from 'sentiment';
import type { ModelRunner } from '../src/inference/model-runner.js';

export const MLP_MANIFEST = fileURLToPath(new URL('./chat-sentiment-mlp.yaml', import.meta.url));

export interface Scored {
  accuracy: number;
  correct: number;
  n: number;
}

const afinn = new Sentiment();

/** AFINN-165 with the sentiment package's own rule (benchmark/validate.js): a score of zero reads positive. */
export function afinnLabel(text: string): string {
  return afinn.analyze(text).score >= 0 ? 'positive' : 'negative';
}

export async function runnerLabels(runner: ModelRunner, texts: readonly string[]): Promise<string[]> {
  const labels: string[] = [];
  for (const text of texts) {
    const { results } = await runner.run([text]);
    labels.push(results[0]?.label as string);
  }
  return labels;
}

export function scoreLabels(predicted: readonly string[], expected: readonly string[]): Scored {
  const correct = predicted.filter((label, i) => label === expected[i]).length;
  return { accuracy: correct / expected.length, correct, n: expected.length };
}
