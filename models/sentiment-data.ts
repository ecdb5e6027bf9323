// The training data of the bundled sentiment model and its seeded, stratified split, shared by the
// build script and the test that re-measures the model's held-out accuracy.
// Data: UCI Sentiment Labelled Sentences (Kotzias et al. 2015, CC BY 4.0), as shipped in the
// `sentiment` npm package's test fixtures: {amazon,imdb,yelp}.json, arrays of {text, class: 0|1}
// plus one empty trailing row each, which is skipped.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface LabelledSentence {
  text: string;
  /** 0 negative, 1 positive. */
  label: 0 | 1;
  source: string;
}

export const SENTIMENT_SOURCES = ['amazon', 'imdb', 'yelp'] as const;

export function sentimentPackageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('sentiment/package.json'));
}

export function loadSentimentSentences(): LabelledSentence[] {
  const dir = join(sentimentPackageDir(), 'test', 'fixtures');
  const sentences: LabelledSentence[] = [];
  for (const source of SENTIMENT_SOURCES) {
    const rows = JSON.parse(readFileSync(join(dir, `${source}.json`), 'utf8')) as Array<{
      text: unknown;
      class: unknown;
    }>;
    for (const row of rows) {
      // Each file ends with an empty placeholder row ({"text": "", "class": null}): 3,003 rows, 3,000 sentences.
      if (row.text === '' && row.class === null) continue;
      if (typeof row.text !== 'string' || (row.class !== 0 && row.class !== 1)) {
        throw new Error(`${source}.json: unexpected row ${JSON.stringify(row)}`);
      }
      sentences.push({ text: row.text, label: row.class, source });
    }
  }
  return sentences;
}

/** mulberry32: a small, fixed 32-bit PRNG, so the split and the weights depend only on the seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i] as T;
    items[i] = items[j] as T;
    items[j] = swap;
  }
  return items;
}

/**
 * Stratified by (source, label): each of the six groups is shuffled with the seeded PRNG and its
 * first round(testFraction · size) sentences are held out. Train order is shuffled once more.
 */
export function splitSentences(
  sentences: readonly LabelledSentence[],
  seed: number,
  testFraction: number,
): { train: LabelledSentence[]; test: LabelledSentence[] } {
  const random = createRandom(seed);
  const groups = new Map<string, LabelledSentence[]>();
  for (const sentence of sentences) {
    const key = `${sentence.source}/${sentence.label}`;
    const group = groups.get(key) ?? [];
    group.push(sentence);
    groups.set(key, group);
  }
  const train: LabelledSentence[] = [];
  const test: LabelledSentence[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = shuffleInPlace([...(groups.get(key) as LabelledSentence[])], random);
    const held = Math.round(group.length * testFraction);
    test.push(...group.slice(0, held));
    train.push(...group.slice(held));
  }
  return { train: shuffleInPlace(train, random), test };
}
