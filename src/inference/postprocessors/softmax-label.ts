// The label head: reads a [N, labels] output (probabilities, or logits to be soft-maxed) and sets
// label, score and per-label scores.
import { z } from 'zod';
import { LivepipeError } from '../../errors.js';
import type { Postprocessor, PostprocessorModel } from './postprocessor.js';

export const softmaxLabelSpecSchema = z.strictObject({
  kind: z.literal('softmax-label'),
  /** Which model output to read; omitted: the first output. */
  output: z.string().min(1).optional(),
  /** probabilities: the model already ends in Softmax; logits: apply softmax here. */
  from: z.enum(['probabilities', 'logits']).default('probabilities'),
});

export type SoftmaxLabelSpec = z.output<typeof softmaxLabelSpecSchema>;

export function createSoftmaxLabel(spec: SoftmaxLabelSpec, model: PostprocessorModel): Postprocessor {
  const output = spec.output === undefined ? model.outputs[0] : model.outputs.find((o) => o.name === spec.output);
  if (output === undefined) {
    throw new LivepipeError(
      'LP_MODEL_INVALID',
      `${model.file}: postprocess softmax-label reads output "${spec.output ?? ''}", which is not among outputs [${model.outputs.map((o) => o.name).join(', ')}]`,
    );
  }
  const labels = model.labels;
  const width = labels.length;
  if (output.width !== undefined && output.width !== width) {
    throw new LivepipeError(
      'LP_MODEL_INVALID',
      `${model.file}: output "${output.name}" has ${output.width} columns but labels has ${width} entries; list one label per column`,
    );
  }
  const name = output.name;
  const logits = spec.from === 'logits';

  return {
    apply(outputs, row, _text, result): void {
      const data = outputs[name] as Float32Array;
      const base = row * width;
      let max = -Infinity;
      for (let k = 0; k < width; k++) max = Math.max(max, data[base + k] as number);
      let total = 0;
      if (logits) for (let k = 0; k < width; k++) total += Math.exp((data[base + k] as number) - max);
      let best = 0;
      let bestScore = -Infinity;
      const scores: Record<string, number> = {};
      for (let k = 0; k < width; k++) {
        const raw = data[base + k] as number;
        const score = logits ? Math.exp(raw - max) / total : raw;
        scores[labels[k] as string] = score;
        if (score > bestScore) {
          bestScore = score;
          best = k;
        }
      }
      result.label = labels[best] as string;
      result.score = bestScore;
      result.scores = scores;
    },
  };
}
