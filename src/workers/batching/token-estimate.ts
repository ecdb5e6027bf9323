// A cheap estimate of how many tokens a BERT-style WordPiece tokenizer makes of a text, for the
// token-aware batcher on the main thread (the real tokenizer runs in the workers). One pass over
// the UTF-16 code units, no allocation: each CJK character, punctuation mark or emoji is a token,
// each run of letters or digits is ceil(length / CHARS_PER_PIECE) tokens, plus the 2 special tokens
// ([CLS] … [SEP]). Calibrated on the generator's chat and Chinese chat lines against the MiniLM and
// bge-small-zh tokenizers (test/integration/models-token-estimate.test.ts).

/** [CLS] and [SEP] around a single text. */
export const SPECIAL_TOKENS = 2;

/** Letters or digits per word piece: common short chat words are one piece, long or rare ones split. */
const CHARS_PER_PIECE = 6;

/** Character classes: separates words, part of a word, a token of its own. */
const SPACE = 0;
const WORD = 1;
const SINGLE = 2;
type CharClass = typeof SPACE | typeof WORD | typeof SINGLE;

function classOf(code: number): CharClass {
  if (code <= 0x20) return SPACE;
  if (code < 0x80) {
    // ASCII letters and digits join into words; everything else printable is punctuation.
    if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return WORD;
    return SINGLE;
  }
  if (code === 0xa0 || code === 0x3000) return SPACE;
  // Emoji and other astral symbols (surrogate pairs): BERT's basic tokenizer keeps them inside the
  // surrounding word, which WordPiece then maps to one [UNK] or a few pieces; count them as letters.
  if (code >= 0xd800 && code <= 0xdfff) return WORD;
  // CJK ideographs, kana, hangul, CJK punctuation and full-width forms: one token each.
  if (code >= 0x2e80 && code <= 0xffef) {
    // Full-width ASCII letters and digits normalise to ASCII words.
    if ((code >= 0xff10 && code <= 0xff19) || (code >= 0xff21 && code <= 0xff3a) || (code >= 0xff41 && code <= 0xff5a))
      return WORD;
    return SINGLE;
  }
  // General punctuation and symbols (…, ’, “, ♥, ✨).
  if (code >= 0x2000 && code <= 0x2bff) return SINGLE;
  // Accented Latin, Cyrillic, Greek…: letters of words.
  return WORD;
}

/** Estimated token count of a text, special tokens included. */
export function estimateTokens(text: string): number {
  let tokens = SPECIAL_TOKENS;
  let wordLength = 0;
  for (let i = 0; i < text.length; i++) {
    const kind = classOf(text.charCodeAt(i));
    if (kind === WORD) {
      wordLength++;
      continue;
    }
    if (wordLength > 0) {
      tokens += Math.ceil(wordLength / CHARS_PER_PIECE);
      wordLength = 0;
    }
    if (kind === SINGLE) tokens++;
  }
  if (wordLength > 0) tokens += Math.ceil(wordLength / CHARS_PER_PIECE);
  return tokens;
}
