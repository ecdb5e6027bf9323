// Measures a moderation postprocessor the way models/build-sentiment.ts records it in the manifest:
// precision/recall/false-positive rate on the chat generator's comments (its `abusive` flag is the
// label; the text is synthetic) and the flag rate on the review sentences, none of which is chat abuse.
import type { Postprocessor } from '../src/inference/postprocessors/postprocessor.js';
import { ChatCorpus } from '../src/sources/generator/chat-corpus.js';
import { SeededRandom } from '../src/sources/generator/seeded-random.js';

export interface GeneratedChatModeration {
  precision: number;
  recall: number;
  /** Flagged share of the non-abusive comments. */
  fpr: number;
  n: number;
  abusive: number;
  flagged: number;
  seed: number;
}

export type FlagsText = (text: string) => boolean;

export function moderationFlag(postprocessor: Postprocessor): FlagsText {
  return (text) => {
    const result = { label: '', score: 0, scores: {} } as Parameters<Postprocessor['apply']>[3];
    postprocessor.apply({}, 0, text, result);
    return result.moderation?.flagged === true;
  };
}

export function measureOnGeneratedChat(flags: FlagsText, seed: number, n: number): GeneratedChatModeration {
  const corpus = new ChatCorpus();
  const random = new SeededRandom(seed);
  let truePositives = 0;
  let falsePositives = 0;
  let abusive = 0;
  for (let i = 0; i < n; i++) {
    const comment = corpus.compose(random);
    const flagged = flags(comment.text);
    if (comment.abusive) abusive++;
    if (flagged && comment.abusive) truePositives++;
    if (flagged && !comment.abusive) falsePositives++;
  }
  const flagged = truePositives + falsePositives;
  return {
    precision: flagged === 0 ? 0 : truePositives / flagged,
    recall: abusive === 0 ? 0 : truePositives / abusive,
    fpr: falsePositives / (n - abusive),
    n,
    abusive,
    flagged,
    seed,
  };
}

/** Share of texts flagged; on text with no chat abuse every flag is a false positive of a sort. */
export function flagRate(flags: FlagsText, texts: readonly string[]): { rate: number; flagged: number; n: number } {
  let flagged = 0;
  for (const text of texts) if (flags(text)) flagged++;
  return { rate: flagged / texts.length, flagged, n: texts.length };
}
