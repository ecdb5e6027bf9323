// CESQL values, their three types, the errors the spec names, and the casts between types (spec 3.7),
// with sdk-go's exact rules: String -> Integer is a 32-bit base-10 parse, String -> Boolean ignores case.
import { LivepipeError, type ErrorCode } from '../../errors.js';

export type CesqlValue = string | number | boolean;

/** 'any' is a function parameter that takes its argument uncast. */
export type CesqlType = 'string' | 'integer' | 'boolean' | 'any';

export type CesqlErrorKind =
  | 'parse'
  | 'math'
  | 'cast'
  | 'missingAttribute'
  | 'missingFunction'
  | 'functionEvaluation'
  | 'generic';

/** A fault in the expression itself is LP_FILTER_INVALID; one met while evaluating an event is LP_FILTER_FAILED. */
const ERROR_CODES: Readonly<Record<CesqlErrorKind, ErrorCode>> = {
  parse: 'LP_FILTER_INVALID',
  missingFunction: 'LP_FILTER_INVALID',
  math: 'LP_FILTER_FAILED',
  cast: 'LP_FILTER_FAILED',
  missingAttribute: 'LP_FILTER_FAILED',
  functionEvaluation: 'LP_FILTER_FAILED',
  generic: 'LP_FILTER_FAILED',
};

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export class CesqlError extends LivepipeError {
  readonly kind: CesqlErrorKind;
  /** The value the failing operator or function returns with the error (spec 3.3). */
  readonly value: CesqlValue;
  /** 0-based offset of a parse error. */
  readonly position: number | undefined;
  /** The syntax node that raised it; the evaluator uses it to pick the top-level result. */
  origin: unknown;

  constructor(kind: CesqlErrorKind, message: string, value: CesqlValue, position?: number) {
    super(ERROR_CODES[kind], message);
    this.name = 'CesqlError';
    this.kind = kind;
    this.value = value;
    this.position = position;
  }

  static parse(message: string, position: number): CesqlError {
    return new CesqlError('parse', `${message} at position ${position + 1}`, false, position);
  }
}

export function typeOf(value: CesqlValue): Exclude<CesqlType, 'any'> {
  return typeof value === 'string' ? 'string' : typeof value === 'number' ? 'integer' : 'boolean';
}

export function zeroValue(type: CesqlType): CesqlValue {
  return type === 'string' ? '' : type === 'integer' ? 0 : false;
}

const DECIMAL_INTEGER = /^[+-]?[0-9]+$/;

export function parseInt32(text: string): number | undefined {
  if (!DECIMAL_INTEGER.test(text)) return undefined;
  const value = Number(text);
  return value >= INT32_MIN && value <= INT32_MAX ? value : undefined;
}

export function castToInteger(value: CesqlValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const parsed = parseInt32(value);
  if (parsed === undefined) {
    throw new CesqlError('cast', `cannot cast the string ${JSON.stringify(value)} to an integer (32-bit, base 10)`, 0);
  }
  return parsed;
}

export function castToBoolean(value: CesqlValue): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new CesqlError(
    'cast',
    `cannot cast the string ${JSON.stringify(value)} to a boolean (expected true or false)`,
    false,
  );
}

export function castToString(value: CesqlValue): string {
  return typeof value === 'string' ? value : String(value);
}

export function castTo(value: CesqlValue, type: CesqlType): CesqlValue {
  switch (type) {
    case 'string':
      return castToString(value);
    case 'integer':
      return castToInteger(value);
    case 'boolean':
      return castToBoolean(value);
    default:
      return value;
  }
}

export function canCast(value: CesqlValue, type: CesqlType): boolean {
  if (type === 'integer') return typeof value !== 'string' || parseInt32(value) !== undefined;
  if (type === 'boolean') {
    if (typeof value !== 'string') return true;
    const lower = value.toLowerCase();
    return lower === 'true' || lower === 'false';
  }
  return true;
}
