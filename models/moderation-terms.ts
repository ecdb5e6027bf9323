// The project-curated insult lists of the bundled moderation rule, written from general knowledge
// of English chat abuse (not from the chat generator's templates), copied into the manifest by
// models/build-sentiment.ts next to the AFINN-165 words. Tokens as the featurizer's tokenizer
// produces them: lower case, apostrophes dropped ("you're" → "youre").

export const PROJECT_LIST_SOURCE =
  'livepipe project list (models/moderation-terms.ts), curated from general knowledge of English chat abuse';

/**
 * Words whose everyday meaning is an insult aimed at a person (or a chat acronym for abuse), so
 * they flag wherever they appear. Words AFINN-165 already scores -4 or lower are not repeated.
 */
export const INSULT_WORDS: readonly string[] = [
  'idiot',
  'idiots',
  'moron',
  'morons',
  'imbecile',
  'imbeciles',
  'cretin',
  'cretins',
  'dumbass',
  'dumbasses',
  'dimwit',
  'nitwit',
  'halfwit',
  'numbskull',
  'dipshit',
  'douche',
  'douchebag',
  'wanker',
  'tosser',
  'lowlife',
  'scum',
  'loser',
  'losers',
  'clown',
  'clowns',
  'retard',
  'retards',
  'kys',
  'stfu',
  'gtfo',
];

/**
 * Words that insult a person when addressed to one ("you're so stupid", "your face is ugly") but
 * are ordinary criticism of a thing ("stupid lag", "the audio is garbage"), so they flag only
 * within ADDRESSED_WITHIN tokens of an ADDRESSEES token.
 */
export const ADDRESSED_INSULT_WORDS: readonly string[] = [
  'stupid',
  'dumb',
  'ugly',
  'pathetic',
  'worthless',
  'useless',
  'trash',
  'garbage',
  'disgusting',
  'gross',
  'fat',
  'hideous',
  'brainless',
  'clueless',
  'incompetent',
  'freak',
  'weirdo',
  'creep',
  'coward',
  'liar',
  'fake',
  'cringe',
];

/** Second-person tokens: the comment speaks to someone (the streamer or another viewer). */
export const ADDRESSEES: readonly string[] = [
  'you',
  'youre',
  'your',
  'yours',
  'yourself',
  'youve',
  'youll',
  'youd',
  'ya',
  'yall',
  'u',
  'ur',
];

/** How many tokens before or after an addressed insult a second-person token may be. */
export const ADDRESSED_WITHIN = 4;
