import { describe, expect, it } from 'vitest';
import { LivepipeError } from '../../../src/errors.js';
import {
  createLexiconModeration,
  lexiconModerationSpecSchema,
} from '../../../src/inference/postprocessors/lexicon-moderation.js';
import type { ClassificationResult, PostprocessorModel } from '../../../src/inference/postprocessors/postprocessor.js';
import { postprocessorKind } from '../../../src/inference/postprocessors/postprocessor-registry.js';
import { createSoftmaxLabel, softmaxLabelSpecSchema } from '../../../src/inference/postprocessors/softmax-label.js';

const model: PostprocessorModel = {
  labels: ['negative', 'neutral', 'positive'],
  outputs: [{ name: 'out', width: 3 }],
  file: 'test.yaml',
};

const empty = (): ClassificationResult => ({ label: '', score: 0, scores: {} });

describe('softmax-label', () => {
  it('takes the label of the largest probability in the requested row', () => {
    const head = createSoftmaxLabel(softmaxLabelSpecSchema.parse({ kind: 'softmax-label' }), model);
    const result = empty();
    head.apply({ out: Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]) }, 1, '', result);
    expect(result.label).toBe('positive');
    expect(result.score).toBeCloseTo(0.6, 6);
    expect(Object.keys(result.scores)).toEqual(['negative', 'neutral', 'positive']);
  });

  it('soft-maxes logits when told the output is logits', () => {
    const head = createSoftmaxLabel(softmaxLabelSpecSchema.parse({ kind: 'softmax-label', from: 'logits' }), model);
    const result = empty();
    head.apply({ out: Float32Array.from([1, 2, 3]) }, 0, '', result);
    const total = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expect(result.scores.positive).toBeCloseTo(Math.exp(3) / total, 6);
    expect(result.scores.negative! + result.scores.neutral! + result.scores.positive!).toBeCloseTo(1, 6);
  });

  it('rejects a label list that does not match the output width', () => {
    expect(() =>
      createSoftmaxLabel(softmaxLabelSpecSchema.parse({ kind: 'softmax-label' }), { ...model, labels: ['a', 'b'] }),
    ).toThrow(LivepipeError);
  });

  it('rejects an output name the model does not declare', () => {
    expect(() =>
      createSoftmaxLabel(softmaxLabelSpecSchema.parse({ kind: 'softmax-label', output: 'nope' }), model),
    ).toThrow(/not among outputs \[out\]/);
  });
});

describe('lexicon-moderation', () => {
  const spec = lexiconModerationSpecSchema.parse({
    kind: 'lexicon-moderation',
    lexicon: 'test',
    rule: 'test',
    loaded: 'build-time',
    words: ['scum', 'idiot'],
  });

  it('counts every matching token, case-insensitively', () => {
    const result = empty();
    createLexiconModeration(spec, model).apply({}, 0, 'Idiot! total IDIOT, scum.', result);
    expect(result.moderation).toEqual({ flagged: true, matches: 3 });
  });

  it('matches whole tokens only', () => {
    const result = empty();
    createLexiconModeration(spec, model).apply({}, 0, 'scummy idiotic', result);
    expect(result.moderation).toEqual({ flagged: false, matches: 0 });
  });

  it('flags only at minMatches', () => {
    const result = empty();
    createLexiconModeration({ ...spec, minMatches: 2 }, model).apply({}, 0, 'idiot', result);
    expect(result.moderation).toEqual({ flagged: false, matches: 1 });
  });

  it('refuses multi-token entries, which could never match', () => {
    expect(lexiconModerationSpecSchema.safeParse({ ...spec, words: ['son-of-a-bitch'] }).success).toBe(false);
  });

  it('is registered by kind, with softmax-label as the only label producer', () => {
    expect(postprocessorKind('lexicon-moderation')?.producesLabel).toBe(false);
    expect(postprocessorKind('softmax-label')?.producesLabel).toBe(true);
  });
});
