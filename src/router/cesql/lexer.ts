// CESQL lexer: splits an expression into tokens with their positions, matching the CloudEvents SQL
// grammar's lexer (CESQLLexer.g4) as sdk-go runs it: keywords case-insensitive, longest match wins.

import { CesqlError } from './casting.js';

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'and'
  | 'or'
  | 'xor'
  | 'not'
  | 'like'
  | 'exists'
  | 'in'
  | 'true'
  | 'false'
  | 'star'
  | 'slash'
  | 'percent'
  | 'plus'
  | 'minus'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'string'
  | 'integer'
  /** Letters only: an attribute or a function name. */
  | 'identifier'
  /** Letters and digits: only an attribute. */
  | 'identifierWithNumber'
  /** A letter then letters and underscores: only a function name. */
  | 'functionIdentifier'
  | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for strings, with the quotes). */
  readonly text: string;
  /** 0-based offset in the expression. */
  readonly start: number;
}

const KEYWORDS: Readonly<Record<string, TokenKind>> = {
  AND: 'and',
  OR: 'or',
  XOR: 'xor',
  NOT: 'not',
  LIKE: 'like',
  EXISTS: 'exists',
  IN: 'in',
  TRUE: 'true',
  FALSE: 'false',
};

const PUNCTUATION: Readonly<Record<string, TokenKind>> = {
  '(': 'lparen',
  ')': 'rparen',
  ',': 'comma',
  '*': 'star',
  '/': 'slash',
  '%': 'percent',
  '+': 'plus',
  '-': 'minus',
  '=': 'eq',
  '<': 'lt',
  '>': 'gt',
};

const TWO_CHARACTER: Readonly<Record<string, TokenKind>> = { '!=': 'ne', '<>': 'ne', '<=': 'le', '>=': 'ge' };

const isLetter = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
/** The grammar skips only these four; other white space is an error, as in sdk-go. */
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    const push = (kind: TokenKind, end: number) => {
      tokens.push({ kind, text: expression.slice(start, end), start });
      i = end;
    };
    if (c === '"' || c === "'") {
      push('string', stringEnd(expression, start));
      continue;
    }
    const pair = expression.slice(i, i + 2);
    const twoCharacter = TWO_CHARACTER[pair];
    if (twoCharacter) {
      push(twoCharacter, i + 2);
      continue;
    }
    if ((c === '+' || c === '-') && isDigit(expression[i + 1])) {
      // The grammar's integer literal carries its sign, and the longest match wins: `5-3` is `5` `-3`.
      push('integer', runEnd(expression, i + 1, isDigit));
      continue;
    }
    const punctuation = c === undefined ? undefined : PUNCTUATION[c];
    if (punctuation) {
      push(punctuation, i + 1);
      continue;
    }
    if (isLetter(c) || isDigit(c)) {
      push(...wordToken(expression, start));
      continue;
    }
    throw CesqlError.parse(`unexpected character ${JSON.stringify(c)}`, start);
  }
  tokens.push({ kind: 'end', text: '', start: expression.length });
  return tokens;
}

function runEnd(text: string, from: number, accepts: (c: string | undefined) => boolean): number {
  let end = from;
  while (end < text.length && accepts(text[end])) end++;
  return end;
}

/** Of the word-like rules, the longest match wins; on a tie the rule declared first (keyword, integer, identifier...). */
function wordToken(text: string, start: number): [TokenKind, number] {
  const letters = runEnd(text, start, isLetter);
  const lettersAndDigits = runEnd(text, start, (c) => isLetter(c) || isDigit(c));
  const functionName = isLetter(text[start]) ? runEnd(text, start, (c) => isLetter(c) || c === '_') : start;
  const digits = runEnd(text, start, isDigit);
  const longest = Math.max(letters, lettersAndDigits, functionName, digits);
  if (longest === letters && letters > start) {
    return [KEYWORDS[text.slice(start, letters).toUpperCase()] ?? 'identifier', letters];
  }
  if (longest === digits) return ['integer', digits];
  if (longest === lettersAndDigits) return ['identifierWithNumber', lettersAndDigits];
  return ['functionIdentifier', functionName];
}

/**
 * The end of a quoted string: a backslash takes the next character, a doubled quote stays inside,
 * and the longest complete literal wins (so `'a''b'` is one literal).
 */
function stringEnd(text: string, start: number): number {
  const quote = text[start];
  let accepted = -1;
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      if (i + 1 >= text.length) break;
      i += 2;
    } else if (c === quote) {
      accepted = i + 1;
      if (text[i + 1] !== quote) break;
      i += 2;
    } else {
      i++;
    }
  }
  if (accepted < 0) throw CesqlError.parse('unterminated string literal', start);
  return accepted;
}
