// Moderation as a documented lexicon rule, not a trained head: the training data has no abuse
// labels, so a comment is flagged when it contains a listed word anywhere, or a listed word that
// only insults when aimed at someone, near a second-person token ("you're so stupid", not "stupid lag").
import { z } from 'zod';
import { tokenize } from '../featurizers/hashed-bow.js';
import type { Postprocessor, PostprocessorModel } from './postprocessor.js';

/** Single tokens as the featurizer's tokenizer produces them (lower-case, no apostrophes). */
const tokenListSchema = z.array(z.string().regex(/^[\p{L}\p{N}]+$/u, 'expected one lower-case token per word')).min(1);

const wordGroupSchema = z.strictObject({
  /** Where the words came from (documentation only), e.g. "AFINN-165" or a project list. */
  source: z.string().min(1),
  /** The rule that selected the words (documentation only). */
  rule: z.string().min(1),
  words: tokenListSchema,
  /** When set, a word counts only with an `addressees` token at most this many tokens before or after it. */
  addressedWithin: z.number().int().min(1).max(20).optional(),
});

export const lexiconModerationSpecSchema = z
  .strictObject({
    kind: z.literal('lexicon-moderation'),
    /** Where the word lists came from (documentation only). */
    lexicon: z.string().min(1),
    /** The rule that selected the words (documentation only), e.g. "AFINN score <= -4". */
    rule: z.string().min(1),
    /** build-time: the words are written into this manifest; nothing is read when the model loads. */
    loaded: z.literal('build-time'),
    /** Flag when at least this many tokens match. */
    minMatches: z.number().int().min(1).default(1),
    /** Words that count wherever they appear (a single ungrouped list). */
    words: tokenListSchema.optional(),
    /** Word lists with their own source; a group with addressedWithin counts only near an addressee. */
    groups: z.array(wordGroupSchema).min(1).optional(),
    /** Second-person tokens (e.g. you, youre, ur) for groups with addressedWithin. */
    addressees: tokenListSchema.optional(),
  })
  .superRefine((spec, context) => {
    if (spec.words === undefined && spec.groups === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['words'],
        message: 'no words to match: list them in `words` or in `groups[].words`',
      });
    }
    if (spec.addressees === undefined && spec.groups?.some((group) => group.addressedWithin !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['addressees'],
        message:
          'a group sets addressedWithin, so list the second-person tokens it must be near in `addressees` (e.g. [you, youre, your, ur])',
      });
    }
  });

export type LexiconModerationSpec = z.output<typeof lexiconModerationSpecSchema>;

export function createLexiconModeration(spec: LexiconModerationSpec, _model: PostprocessorModel): Postprocessor {
  const anywhere = new Set(spec.words ?? []);
  /** Addressed word → the widest window any group gives it; a word also listed for anywhere is matched anywhere. */
  const addressed = new Map<string, number>();
  for (const group of spec.groups ?? []) {
    for (const word of group.words) {
      if (group.addressedWithin === undefined) anywhere.add(word);
      else addressed.set(word, Math.max(addressed.get(word) ?? 0, group.addressedWithin));
    }
  }
  for (const word of anywhere) addressed.delete(word);
  const addressees = new Set(spec.addressees ?? []);
  const minMatches = spec.minMatches;

  const isAddressed = (tokens: readonly string[], at: number, within: number): boolean => {
    const last = Math.min(tokens.length - 1, at + within);
    for (let i = Math.max(0, at - within); i <= last; i++) {
      if (i !== at && addressees.has(tokens[i] as string)) return true;
    }
    return false;
  };

  return {
    apply(_outputs, _row, text, result): void {
      const tokens = tokenize(text);
      let matches = 0;
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[i] as string;
        if (anywhere.has(token)) {
          matches++;
          continue;
        }
        const within = addressed.get(token);
        if (within !== undefined && isAddressed(tokens, i, within)) matches++;
      }
      result.moderation = { flagged: matches >= minMatches, matches };
    },
  };
}
