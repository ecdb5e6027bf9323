// The chat-sentiment head in plain TypeScript: a logistic regression over pooled, L2-normalised
// sentence embeddings, trained by full-batch Adam from zero weights (deterministic: no random
// state), and the forward pass the composed ONNX graph is checked against.
import type { LinearHead } from './classifier-graph.js';

export interface LogisticRegressionOptions {
  steps: number;
  learningRate: number;
  /** L2 penalty on the weights (not the bias), per example. */
  weightDecay: number;
}

/**
 * Binary logistic regression (label 1 = labels[1]) written as a two-column softmax head: column 1
 * gets +w/2, column 0 gets −w/2, so softmax over the two equals the sigmoid of w·x + b.
 */
export function trainLogisticRegression(
  embeddings: readonly Float32Array[],
  targets: readonly (0 | 1)[],
  labels: [string, string],
  options: LogisticRegressionOptions,
): LinearHead {
  const n = embeddings.length;
  const dims = (embeddings[0] as Float32Array).length;
  const w = new Float64Array(dims + 1); // last slot: the bias
  const m = new Float64Array(dims + 1);
  const v = new Float64Array(dims + 1);
  const gradient = new Float64Array(dims + 1);
  const beta1 = 0.9;
  const beta2 = 0.999;
  for (let step = 1; step <= options.steps; step++) {
    gradient.fill(0);
    for (let i = 0; i < n; i++) {
      const x = embeddings[i] as Float32Array;
      let z = w[dims] as number;
      for (let k = 0; k < dims; k++) z += (w[k] as number) * (x[k] as number);
      const error = 1 / (1 + Math.exp(-z)) - (targets[i] as number);
      for (let k = 0; k < dims; k++) gradient[k] = (gradient[k] as number) + error * (x[k] as number);
      gradient[dims] = (gradient[dims] as number) + error;
    }
    for (let k = 0; k <= dims; k++) {
      const g = (gradient[k] as number) / n + (k < dims ? options.weightDecay * (w[k] as number) : 0);
      m[k] = beta1 * (m[k] as number) + (1 - beta1) * g;
      v[k] = beta2 * (v[k] as number) + (1 - beta2) * g * g;
      const mHat = (m[k] as number) / (1 - beta1 ** step);
      const vHat = (v[k] as number) / (1 - beta2 ** step);
      w[k] = (w[k] as number) - (options.learningRate * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  }
  // Rounded to float32 here, so the JSON, the graph and the TypeScript check hold the same numbers.
  const half = (value: number) => Math.fround(value / 2);
  const weights: number[][] = [];
  for (let k = 0; k < dims; k++) weights.push([half(-(w[k] as number)), half(w[k] as number)]);
  return { labels: [...labels], weights, bias: [half(-(w[dims] as number)), half(w[dims] as number)] };
}

/** softmax(e · weights + bias), in float64. */
export function headProbabilities(head: LinearHead, embedding: Float32Array): number[] {
  const logits = head.bias.map((bias, column) => {
    let sum = bias;
    for (let k = 0; k < embedding.length; k++) sum += (embedding[k] as number) * (head.weights[k]?.[column] as number);
    return sum;
  });
  const max = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}
