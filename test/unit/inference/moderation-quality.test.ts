import { describe, expect, it } from 'vitest';
import { loadSentimentSentences } from '../../../models/sentiment-data.js';
import { isFeaturizedManifest, loadModelManifest } from '../../../src/inference/index.js';
import {
  createLexiconModeration,
  lexiconModerationSpecSchema,
  type LexiconModerationSpec,
} from '../../../src/inference/postprocessors/lexicon-moderation.js';
import type {
  ClassificationResult,
  Postprocessor,
  PostprocessorModel,
} from '../../../src/inference/postprocessors/postprocessor.js';
import { ChatCorpus } from '../../../src/sources/generator/chat-corpus.js';
import { SeededRandom } from '../../../src/sources/generator/seeded-random.js';

interface ChatMetrics {
  precision: number;
  recall: number;
  fpr: number;
  n: number;
  seed: number;
}
interface ModerationMetrics {
  moderationOnGeneratedChat: ChatMetrics;
  moderationAfinnOnlyOnGeneratedChat: ChatMetrics;
  moderationFlagRateOnReviews: number;
  moderationFlaggedReviews: number;
}

const manifestPath = new URL('../../../models/chat-sentiment-mlp.yaml', import.meta.url).pathname;
const loaded = await loadModelManifest(manifestPath);
if (!isFeaturizedManifest(loaded)) throw new Error(`${manifestPath} is not the featurized model this test measures`);
const manifest = loaded;
const metrics = manifest.metrics as unknown as ModerationMetrics;
const moderationIndex = manifest.postprocess.findIndex((entry) => entry.kind === 'lexicon-moderation');
const moderation = manifest.createPostprocessors()[moderationIndex] as Postprocessor;
const postprocessorModel: PostprocessorModel = { labels: manifest.labels, outputs: [], file: manifestPath };

function flagsOf(postprocessor: Postprocessor): (text: string) => boolean {
  return (text) => {
    const result: ClassificationResult = { label: '', score: 0, scores: {} };
    postprocessor.apply({}, 0, text, result);
    return result.moderation?.flagged === true;
  };
}
const flags = flagsOf(moderation);

/** Fresh seeds, not the build's, so the figures are re-measured rather than replayed. */
function countOnGeneratedChat(flag: (text: string) => boolean, seeds: readonly number[], perSeed: number) {
  const corpus = new ChatCorpus();
  let truePositives = 0;
  let falsePositives = 0;
  let abusive = 0;
  for (const seed of seeds) {
    const random = new SeededRandom(seed);
    for (let i = 0; i < perSeed; i++) {
      const comment = corpus.compose(random);
      const flagged = flag(comment.text);
      if (comment.abusive) abusive++;
      if (flagged && comment.abusive) truePositives++;
      if (flagged && !comment.abusive) falsePositives++;
    }
  }
  const total = seeds.length * perSeed;
  return {
    precision: truePositives / (truePositives + falsePositives),
    recall: truePositives / abusive,
    fpr: falsePositives / (total - abusive),
    abusive,
  };
}

const FRESH_SEEDS = [101, 202] as const;

describe('chat-sentiment moderation quality', () => {
  const measured = countOnGeneratedChat(flags, FRESH_SEEDS, 20_000);
  const recorded = metrics.moderationOnGeneratedChat;

  it('is measured on generated chat with a seed the test does not reuse', () => {
    expect(recorded.n).toBe(20_000);
    expect(FRESH_SEEDS).not.toContain(recorded.seed);
    expect(measured.abusive).toBeGreaterThan(1000);
  });

  it('reaches the manifest precision and recall on freshly generated chat, and recall of at least 0.7', () => {
    expect(measured.precision).toBeGreaterThanOrEqual(recorded.precision - 0.02);
    expect(measured.recall).toBeGreaterThanOrEqual(recorded.recall - 0.03);
    expect(measured.recall).toBeGreaterThanOrEqual(0.7);
  });

  it('flags at most 1 % of the non-abusive generated comments, no more than the manifest records', () => {
    expect(measured.fpr).toBeLessThanOrEqual(recorded.fpr + 0.002);
    expect(measured.fpr).toBeLessThanOrEqual(0.01);
  });

  it('flags exactly the manifest count of the 3,000 review sentences, under 1 %', () => {
    const sentences = loadSentimentSentences();
    const flagged = sentences.filter((sentence) => flags(sentence.text)).length;
    expect(sentences).toHaveLength(3000);
    expect(flagged).toBe(metrics.moderationFlaggedReviews);
    expect(flagged / sentences.length).toBeCloseTo(metrics.moderationFlagRateOnReviews, 4);
    expect(flagged / sentences.length).toBeLessThan(0.01);
  });

  it('catches far more generated abuse than the AFINN <= -4 words alone, which it replaced', () => {
    const spec = manifest.postprocess[moderationIndex] as unknown as LexiconModerationSpec;
    const afinnOnly = lexiconModerationSpecSchema.parse({
      ...spec,
      groups: spec.groups?.slice(0, 1),
      addressees: undefined,
    });
    expect(afinnOnly.groups?.[0]?.source).toMatch(/^AFINN-165/);
    const before = countOnGeneratedChat(
      flagsOf(createLexiconModeration(afinnOnly, postprocessorModel)),
      FRESH_SEEDS,
      20_000,
    );
    expect(before.recall).toBeCloseTo(metrics.moderationAfinnOnlyOnGeneratedChat.recall, 1);
    expect(measured.recall).toBeGreaterThan(before.recall + 0.5);
  });

  it('flags person-directed insults but not the same words aimed at a thing', () => {
    expect(flags('you absolute imbecile')).toBe(true);
    expect(flags("you're so stupid")).toBe(true);
    expect(flags('ur voice is so ugly')).toBe(true);
    expect(flags('stupid lag again')).toBe(false);
    expect(flags('the audio is garbage tonight')).toBe(false);
    expect(flags('i miss you, you killed it')).toBe(false);
  });
});

describe('lexicon-moderation addressed groups', () => {
  const model: PostprocessorModel = { labels: ['a', 'b'], outputs: [], file: 'test.yaml' };
  const spec = lexiconModerationSpecSchema.parse({
    kind: 'lexicon-moderation',
    lexicon: 'test',
    rule: 'test',
    loaded: 'build-time',
    groups: [
      { source: 'test', rule: 'anywhere', words: ['idiot'] },
      { source: 'test', rule: 'addressed', words: ['stupid', 'idiot'], addressedWithin: 2 },
    ],
    addressees: ['you', 'youre'],
  });
  const run = (text: string) => {
    const result: ClassificationResult = { label: '', score: 0, scores: {} };
    createLexiconModeration(spec, model).apply({}, 0, text, result);
    return result.moderation;
  };

  it('counts an addressed word only within its window of an addressee, before or after it', () => {
    expect(run('you are stupid')).toEqual({ flagged: true, matches: 1 });
    expect(run('stupid, you')).toEqual({ flagged: true, matches: 1 });
    expect(run('you are so very stupid')).toEqual({ flagged: false, matches: 0 });
    expect(run('stupid stupid')).toEqual({ flagged: false, matches: 0 });
  });

  it('matches a word listed both ways anywhere', () => {
    expect(run('what an idiot')).toEqual({ flagged: true, matches: 1 });
  });

  it('refuses an addressed group without addressees, and a spec with no words', () => {
    const withoutAddressees = lexiconModerationSpecSchema.safeParse({ ...spec, addressees: undefined });
    expect(withoutAddressees.success).toBe(false);
    expect(withoutAddressees.error?.issues[0]?.path).toEqual(['addressees']);
    expect(lexiconModerationSpecSchema.safeParse({ ...spec, groups: undefined, addressees: undefined }).success).toBe(
      false,
    );
  });
});
