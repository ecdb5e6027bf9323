// CESQL syntax tree and parser. Precedence and associativity follow the CESQL grammar as sdk-go
// (and so Knative) parses it: NOT, unary minus, LIKE, IN, * / %, + -, comparisons, then AND/OR/XOR
// at one level, grouped to the right.

import { CesqlError, parseInt32, type CesqlValue } from './casting.js';
import { tokenize, type Token, type TokenKind } from './lexer.js';

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithmeticOperator = '*' | '/' | '%' | '+' | '-';
export type LogicOperator = 'AND' | 'OR' | 'XOR';

export type CesqlNode =
  | { readonly kind: 'literal'; readonly value: CesqlValue }
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: 'exists'; readonly name: string }
  | { readonly kind: 'not'; readonly operand: CesqlNode }
  | { readonly kind: 'negate'; readonly operand: CesqlNode }
  | { readonly kind: 'like'; readonly operand: CesqlNode; readonly pattern: string }
  | { readonly kind: 'in'; readonly operand: CesqlNode; readonly set: readonly CesqlNode[] }
  | {
      readonly kind: 'arithmetic';
      readonly operator: ArithmeticOperator;
      readonly left: CesqlNode;
      readonly right: CesqlNode;
    }
  | {
      readonly kind: 'comparison';
      readonly operator: ComparisonOperator;
      readonly left: CesqlNode;
      readonly right: CesqlNode;
    }
  | { readonly kind: 'logic'; readonly operator: LogicOperator; readonly left: CesqlNode; readonly right: CesqlNode }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly CesqlNode[]; readonly position: number };

/** Binding power of each infix or suffix operator: higher binds tighter (the grammar's alternative order). */
const PRECEDENCE = { like: 9, in: 7, multiplicative: 6, additive: 5, comparison: 4, logic: 3 } as const;
/** Operands of NOT and unary minus take only what binds tighter than LIKE. */
const NOT_OPERAND = 11;
const NEGATE_OPERAND = 10;

const COMPARISONS: Partial<Record<TokenKind, ComparisonOperator>> = {
  eq: '=',
  ne: '!=',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
};
const MULTIPLICATIVE: Partial<Record<TokenKind, ArithmeticOperator>> = { star: '*', slash: '/', percent: '%' };
const ADDITIVE: Partial<Record<TokenKind, ArithmeticOperator>> = { plus: '+', minus: '-' };
const LOGIC: Partial<Record<TokenKind, LogicOperator>> = { and: 'AND', or: 'OR', xor: 'XOR' };

/** Parses a whole expression; throws a CesqlError of kind 'parse' with the position. */
export function parseCesql(expression: string): CesqlNode {
  const parser = new Parser(tokenize(expression));
  const root = parser.expression(0);
  parser.expectEnd();
  return root;
}

class Parser {
  #index = 0;
  readonly #tokens: readonly Token[];

  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  get #current(): Token {
    return this.#tokens[this.#index] ?? this.#tokens[this.#tokens.length - 1]!;
  }

  #peek(offset = 1): Token | undefined {
    return this.#tokens[this.#index + offset];
  }

  #advance(): Token {
    const token = this.#current;
    this.#index++;
    return token;
  }

  #expect(kind: TokenKind, what: string): Token {
    if (this.#current.kind !== kind) throw this.#unexpected(what);
    return this.#advance();
  }

  #unexpected(expected: string): CesqlError {
    const token = this.#current;
    const found = token.kind === 'end' ? 'the end of the expression' : JSON.stringify(token.text);
    let hint = '';
    if (token.kind === 'integer' && /^[+-]/.test(token.text)) {
      hint = ` (a sign directly before digits makes a signed literal: write "a ${token.text[0]} ${token.text.slice(1)}" with a space)`;
    }
    return CesqlError.parse(`expected ${expected} but found ${found}${hint}`, token.start);
  }

  expectEnd(): void {
    if (this.#current.kind !== 'end') throw this.#unexpected('an operator or the end of the expression');
  }

  expression(minimum: number): CesqlNode {
    let left = this.#primary();
    for (;;) {
      const token = this.#current;
      const kind = token.kind;
      if (kind === 'not') {
        const next = this.#peek()?.kind;
        if (next === 'like' && minimum <= PRECEDENCE.like) {
          this.#advance();
          left = { kind: 'not', operand: this.#like(left) };
          continue;
        }
        if (next === 'in' && minimum <= PRECEDENCE.in) {
          this.#advance();
          left = { kind: 'not', operand: this.#in(left) };
          continue;
        }
        return left;
      }
      if (kind === 'like' && minimum <= PRECEDENCE.like) {
        left = this.#like(left);
        continue;
      }
      if (kind === 'in' && minimum <= PRECEDENCE.in) {
        left = this.#in(left);
        continue;
      }
      const multiplicative = MULTIPLICATIVE[kind];
      if (multiplicative && minimum <= PRECEDENCE.multiplicative) {
        this.#advance();
        left = {
          kind: 'arithmetic',
          operator: multiplicative,
          left,
          right: this.expression(PRECEDENCE.multiplicative + 1),
        };
        continue;
      }
      const additive = ADDITIVE[kind];
      if (additive && minimum <= PRECEDENCE.additive) {
        this.#advance();
        left = { kind: 'arithmetic', operator: additive, left, right: this.expression(PRECEDENCE.additive + 1) };
        continue;
      }
      const comparison = COMPARISONS[kind];
      if (comparison && minimum <= PRECEDENCE.comparison) {
        this.#advance();
        left = { kind: 'comparison', operator: comparison, left, right: this.expression(PRECEDENCE.comparison + 1) };
        continue;
      }
      const logic = LOGIC[kind];
      if (logic && minimum <= PRECEDENCE.logic) {
        this.#advance();
        // Right-associative, as the grammar declares: a AND b OR c is a AND (b OR c).
        left = { kind: 'logic', operator: logic, left, right: this.expression(PRECEDENCE.logic) };
        continue;
      }
      return left;
    }
  }

  #like(operand: CesqlNode): CesqlNode {
    this.#expect('like', 'LIKE');
    if (this.#current.kind !== 'string') throw this.#unexpected('a string literal pattern after LIKE');
    return { kind: 'like', operand, pattern: stringValue(this.#advance().text) };
  }

  #in(operand: CesqlNode): CesqlNode {
    this.#expect('in', 'IN');
    this.#expect('lparen', '"(" opening the IN set');
    const set = [this.expression(0)];
    while (this.#current.kind === 'comma') {
      this.#advance();
      set.push(this.expression(0));
    }
    this.#expect('rparen', '"," or ")" in the IN set');
    return { kind: 'in', operand, set };
  }

  #primary(): CesqlNode {
    const token = this.#current;
    switch (token.kind) {
      case 'not':
        this.#advance();
        return { kind: 'not', operand: this.expression(NOT_OPERAND) };
      case 'minus':
        this.#advance();
        return { kind: 'negate', operand: this.expression(NEGATE_OPERAND) };
      case 'exists': {
        this.#advance();
        const name = this.#current;
        if (name.kind !== 'identifier' && name.kind !== 'identifierWithNumber')
          throw this.#unexpected('an attribute name after EXISTS');
        this.#advance();
        return { kind: 'exists', name: name.text.toLowerCase() };
      }
      case 'lparen': {
        this.#advance();
        const inner = this.expression(0);
        this.#expect('rparen', '")"');
        return inner;
      }
      case 'true':
      case 'false':
        this.#advance();
        return { kind: 'literal', value: token.kind === 'true' };
      case 'string':
        this.#advance();
        return { kind: 'literal', value: stringValue(token.text) };
      case 'integer': {
        this.#advance();
        const value = parseInt32(token.text);
        if (value === undefined)
          throw CesqlError.parse(`integer literal ${token.text} is outside the 32-bit range`, token.start);
        return { kind: 'literal', value };
      }
      case 'identifier':
      case 'functionIdentifier':
        if (this.#peek()?.kind === 'lparen') return this.#call();
        if (token.kind === 'functionIdentifier') throw this.#unexpected('an attribute name (letters and digits only)');
        this.#advance();
        return { kind: 'attribute', name: token.text.toLowerCase() };
      case 'identifierWithNumber':
        this.#advance();
        return { kind: 'attribute', name: token.text.toLowerCase() };
      default:
        throw this.#unexpected('a value, an attribute, a function call, NOT, - or "("');
    }
  }

  #call(): CesqlNode {
    const name = this.#advance();
    this.#advance();
    const args: CesqlNode[] = [];
    if (this.#current.kind !== 'rparen') {
      args.push(this.expression(0));
      while (this.#current.kind === 'comma') {
        this.#advance();
        args.push(this.expression(0));
      }
    }
    this.#expect('rparen', `"," or ")" in the arguments of ${name.text}`);
    return { kind: 'call', name: name.text.toUpperCase(), args, position: name.start };
  }
}

/** Strips the quotes and unescapes only the quote character itself, as sdk-go does; other backslashes stay (LIKE reads them). */
function stringValue(text: string): string {
  const quote = text[0]!;
  return text.slice(1, -1).replaceAll(`\\${quote}`, quote);
}
