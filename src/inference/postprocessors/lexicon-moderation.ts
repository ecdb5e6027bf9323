// Moderation as a documented lexicon rule, not a trained head: the training data has no abuse
// labels, so a comment is flagged when it contains a listed word (for the default model: AFINN-165
// words scored -4 or lower, copied into the manifest when the model is built).
import { z } from 'zod';
import { tokenize } from '../featurizers/hashed-bow.js';
import type { Postprocessor, PostprocessorModel } from './postprocessor.js';

export const lexiconModerationSpecSchema = z.strictObject({
  kind: z.literal('lexicon-moderation'),
  /** Where the word list came from (documentation only). */
  lexicon: z.string().min(1),
  /** The rule that selected the words (documentation only), e.g. "AFINN score <= -4". */
  rule: z.string().min(1),
  /** build-time: the words are written into this manifest; nothing is read when the model loads. */
  loaded: z.literal('build-time'),
  /** Flag when at least this many tokens match. */
  minMatches: z.number().int().min(1).default(1),
  /** Single tokens as the featurizer's tokenizer produces them (lower-case, no apostrophes). */
  words: z.array(z.string().regex(/^[\p{L}\p{N}]+$/u, 'expected one lower-case token per word')).min(1),
});

export type LexiconModerationSpec = z.output<typeof lexiconModerationSpecSchema>;

export function createLexiconModeration(spec: LexiconModerationSpec, _model: PostprocessorModel): Postprocessor {
  const words = new Set(spec.words);
  const minMatches = spec.minMatches;
  return {
    apply(_outputs, _row, text, result): void {
      let matches = 0;
      for (const token of tokenize(text)) if (words.has(token)) matches++;
      result.moderation = { flagged: matches >= minMatches, matches };
    },
  };
}
