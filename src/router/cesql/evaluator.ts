// Compiles a CESQL syntax tree once into nested closures over a plain event record. Evaluation is
// fail-fast (spec 4.1, what Knative needs): the first error is thrown as a CesqlError; the
// `evaluateCesql` wrapper turns it into the spec's (value, error) pair.

import type { EventRecord } from '../attribute-reader.js';
import {
  CesqlError,
  castTo,
  castToBoolean,
  castToInteger,
  castToString,
  typeOf,
  zeroValue,
  type CesqlType,
  type CesqlValue,
} from './casting.js';
import { codePoints, parameterType, resolveFunction } from './functions.js';
import type { CesqlNode } from './parser.js';

type Evaluate = (event: EventRecord) => CesqlValue;

export interface CesqlProgram {
  readonly root: CesqlNode;
  /** The result type where the tree fixes it; 'any' when it depends on the event (a bare attribute). */
  readonly resultType: CesqlType;
  /** Throws a CesqlError on the first error. */
  readonly run: Evaluate;
}

export interface CesqlResult {
  readonly value: CesqlValue;
  readonly error: CesqlError | undefined;
}

/** Attributes a valid CloudEvent always has, so EXISTS is true without looking (spec 3.4.4). */
const REQUIRED_ATTRIBUTES: ReadonlySet<string> = new Set(['specversion', 'id', 'source', 'type']);
/** Keys of the event record that are not context attributes. */
const NOT_ATTRIBUTES: ReadonlySet<string> = new Set(['data', 'data_base64']);

export function compileCesqlProgram(root: CesqlNode): CesqlProgram {
  return { root, resultType: staticType(root), run: compileNode(root) };
}

export function evaluateCesql(program: CesqlProgram, event: EventRecord): CesqlResult {
  try {
    return { value: program.run(event), error: undefined };
  } catch (error) {
    if (!(error instanceof CesqlError)) throw error;
    // Every operator returns its zero value on a child's error; only the failing node itself returns its own value.
    const value = error.origin === program.root ? error.value : zeroValue(program.resultType);
    return { value, error };
  }
}

/** Result type of a node as far as the tree says; the zero value on error follows it. */
export function staticType(node: CesqlNode): CesqlType {
  switch (node.kind) {
    case 'literal':
      return typeOf(node.value);
    case 'attribute':
      return 'any';
    case 'negate':
    case 'arithmetic':
      return 'integer';
    case 'call':
      return resolveFunction(node.name, node.args.length)?.returns ?? 'boolean';
    default:
      return 'boolean';
  }
}

function fail(origin: CesqlNode, error: unknown): never {
  if (error instanceof CesqlError && error.origin === undefined) error.origin = origin;
  throw error;
}

/** An operand cast to an integer; a failed cast is reported at the operator that needed it. */
function integerOperand(node: CesqlNode, value: CesqlValue): number {
  try {
    return castToInteger(value);
  } catch (error) {
    fail(node, error);
  }
}

/** The attribute as a CESQL value: int32 numbers are integers; any other non-primitive reads as its string form (spec 3.2). */
export function readAttribute(event: EventRecord, name: string, ownOnly: boolean): CesqlValue | undefined {
  if (ownOnly && !Object.hasOwn(event, name)) return undefined;
  const value = event[name];
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return (value | 0) === value ? value : String(value);
    case 'bigint':
      return value >= -2147483648n && value <= 2147483647n ? Number(value) : String(value);
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return undefined;
      return value instanceof Date ? value.toISOString() : JSON.stringify(value);
    default:
      return String(value);
  }
}

function compileNode(node: CesqlNode): Evaluate {
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'attribute': {
      const name = node.name;
      if (NOT_ATTRIBUTES.has(name)) {
        return () => fail(node, new CesqlError('missingAttribute', `"${name}" is not a context attribute`, false));
      }
      // `constructor` and friends live on every object's prototype: read own properties only for those.
      const ownOnly = name in Object.prototype;
      return (event) => {
        const value = readAttribute(event, name, ownOnly);
        if (value === undefined) fail(node, new CesqlError('missingAttribute', `missing attribute "${name}"`, false));
        return value;
      };
    }
    case 'exists': {
      const name = node.name;
      if (REQUIRED_ATTRIBUTES.has(name)) return () => true;
      if (NOT_ATTRIBUTES.has(name)) return () => false;
      const ownOnly = name in Object.prototype;
      return (event) => readAttribute(event, name, ownOnly) !== undefined;
    }
    case 'not': {
      const operand = compileNode(node.operand);
      return (event) => {
        const value = operand(event);
        try {
          return !castToBoolean(value);
        } catch (error) {
          fail(node, error);
        }
      };
    }
    case 'negate': {
      const operand = compileNode(node.operand);
      return (event) => -integerOperand(node, operand(event)) | 0;
    }
    case 'like':
      return compileLike(node.operand, node.pattern);
    case 'in':
      return compileIn(node);
    case 'arithmetic':
      return compileArithmetic(node);
    case 'comparison':
      return compileComparison(node);
    case 'logic':
      return compileLogic(node);
    case 'call':
      return compileCall(node);
  }
}

function compileLike(operandNode: CesqlNode, pattern: string): Evaluate {
  const operand = compileNode(operandNode);
  const patternCharacters = codePoints(pattern) ?? pattern;
  return (event) => {
    const value = operand(event);
    const text = typeof value === 'string' ? value : castToString(value);
    return matchLike(codePoints(text) ?? text, patternCharacters);
  };
}

/**
 * LIKE as sdk-go matches it, per character: `%` any run, `_` one character, and a backslash escapes
 * `%` or `_` only where the text has that character (elsewhere it is a literal backslash). A single
 * backtrack point makes it linear in practice.
 */
export function matchLike(text: ArrayLike<string>, pattern: ArrayLike<string>): boolean {
  const textLength = text.length;
  const patternLength = pattern.length;
  if (patternLength === 0) return textLength === 0;
  let t = 0;
  let p = 0;
  let lastWildcard = -1;
  let lastMatch = 0;
  while (t < textLength) {
    const c = text[t];
    const q = pattern[p];
    if (
      p < patternLength - 1 &&
      q === '\\' &&
      (pattern[p + 1] === '_' || pattern[p + 1] === '%') &&
      pattern[p + 1] === c
    ) {
      p += 2;
      t++;
    } else if (p < patternLength && (q === '_' || q === c)) {
      p++;
      t++;
    } else if (p < patternLength && q === '%') {
      lastWildcard = p;
      lastMatch = t;
      p++;
    } else if (lastWildcard !== -1) {
      p = lastWildcard + 1;
      lastMatch++;
      t = lastMatch;
    } else {
      return false;
    }
  }
  while (p < patternLength) {
    if (pattern[p] !== '%') return false;
    p++;
  }
  return true;
}

function compileIn(node: Extract<CesqlNode, { kind: 'in' }>): Evaluate {
  const operand = compileNode(node.operand);
  const set = node.set.map(compileNode);
  return (event) => {
    const left = operand(event);
    const type = typeOf(left);
    for (const element of set) {
      const value = element(event);
      let right: CesqlValue;
      try {
        // The left operand's type is the target for every element (spec 3.7).
        right = castTo(value, type);
      } catch (error) {
        fail(node, error);
      }
      if (right === left) return true;
    }
    return false;
  };
}

function compileArithmetic(node: Extract<CesqlNode, { kind: 'arithmetic' }>): Evaluate {
  const left = compileNode(node.left);
  const right = compileNode(node.right);
  const apply = ARITHMETIC[node.operator]!;
  return (event) => {
    const x = left(event);
    const y = right(event);
    const a = integerOperand(node, x);
    const b = integerOperand(node, y);
    if (b === 0 && (node.operator === '/' || node.operator === '%')) {
      fail(node, new CesqlError('math', `${node.operator === '/' ? 'division' : 'modulo'} by zero`, 0));
    }
    return apply(a, b);
  };
}

/** 32-bit two's-complement arithmetic: results wrap on overflow, as int32 does in Go. */
const ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => (a + b) | 0,
  '-': (a, b) => (a - b) | 0,
  '*': (a, b) => Math.imul(a, b),
  '/': (a, b) => (a / b) | 0,
  '%': (a, b) => (a % b) | 0,
};

function compileComparison(node: Extract<CesqlNode, { kind: 'comparison' }>): Evaluate {
  const left = compileNode(node.left);
  const right = compileNode(node.right);
  const operator = node.operator;
  if (operator === '=' || operator === '!=') {
    const equal = operator === '=';
    return (event) => {
      const x = left(event);
      const y = right(event);
      let cast: CesqlValue;
      try {
        // `=` is overloaded for all three types: the right operand's type picks the overload (spec 3.7).
        cast = castTo(x, typeOf(y));
      } catch (error) {
        fail(node, error);
      }
      return (cast === y) === equal;
    };
  }
  const compare = INTEGER_COMPARISON[operator]!;
  return (event) => {
    const x = left(event);
    const y = right(event);
    const a = integerOperand(node, x);
    const b = integerOperand(node, y);
    return compare(a, b);
  };
}

const INTEGER_COMPARISON: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function compileLogic(node: Extract<CesqlNode, { kind: 'logic' }>): Evaluate {
  const left = compileNode(node.left);
  const right = compileNode(node.right);
  const operator = node.operator;
  const asBoolean = (value: CesqlValue): boolean => {
    try {
      return castToBoolean(value);
    } catch (error) {
      fail(node, error);
    }
  };
  if (operator === 'AND') return (event) => asBoolean(left(event)) && asBoolean(right(event));
  if (operator === 'OR') return (event) => asBoolean(left(event)) || asBoolean(right(event));
  return (event) => asBoolean(left(event)) !== asBoolean(right(event));
}

function compileCall(node: Extract<CesqlNode, { kind: 'call' }>): Evaluate {
  const fn = resolveFunction(node.name, node.args.length);
  if (!fn) {
    const arity = node.args.length;
    return () =>
      fail(
        node,
        new CesqlError(
          'missingFunction',
          `no function ${node.name} taking ${arity} argument${arity === 1 ? '' : 's'}`,
          false,
        ),
      );
  }
  const args = node.args.map(compileNode);
  const types = args.map((_, i) => parameterType(fn, i));
  const zero = zeroValue(fn.returns);
  return (event) => {
    const values: CesqlValue[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) {
      const value = args[i]!(event);
      try {
        values[i] = castTo(value, types[i]!);
      } catch (error) {
        if (error instanceof CesqlError) fail(node, new CesqlError(error.kind, error.message, zero));
        throw error;
      }
    }
    try {
      return fn.run(values);
    } catch (error) {
      fail(node, error);
    }
  };
}
