// The CESQL built-in functions (spec 3.5) in a registry keyed by upper-case name and arity, with
// sdk-go's overloads (SUBSTRING/2 and /3, variadic CONCAT and CONCAT_WS). String positions count
// Unicode code points, as the spec says "characters".

import {
  CesqlError,
  INT32_MAX,
  INT32_MIN,
  canCast,
  castToBoolean,
  castToInteger,
  castToString,
  type CesqlType,
  type CesqlValue,
} from './casting.js';

export interface CesqlFunction {
  readonly name: string;
  readonly parameters: readonly CesqlType[];
  /** Type of the arguments after the fixed ones; undefined when the arity is fixed. */
  readonly variadic: CesqlType | undefined;
  readonly returns: Exclude<CesqlType, 'any'>;
  /** Arguments arrive cast to the parameter types. Throws a CesqlError carrying the value to return. */
  readonly run: (args: CesqlValue[]) => CesqlValue;
}

function fixed(
  name: string,
  parameters: CesqlType[],
  returns: CesqlFunction['returns'],
  run: CesqlFunction['run'],
): CesqlFunction {
  return { name, parameters, variadic: undefined, returns, run };
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** The text split into code points when it holds a surrogate (an astral character); undefined when each UTF-16 unit is one character. */
export function codePoints(text: string): string[] | undefined {
  return SURROGATE.test(text) ? Array.from(text) : undefined;
}

function characterLength(text: string): number {
  return codePoints(text)?.length ?? text.length;
}

/** Characters [from, to) of text, counted in code points. */
function characters(text: string, from: number, to: number): string {
  const points = codePoints(text);
  return points ? points.slice(from, to).join('') : text.slice(from, to);
}

/** Unicode White_Space, the set Go's strings.TrimSpace removes (JavaScript's trim differs on U+0085 and U+FEFF). */
const LEADING_SPACE = /^[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/;
const TRAILING_SPACE = /[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+$/;

function substring(text: string, position: number, length: number | undefined): string {
  if (position === 0) return '';
  const size = characterLength(text);
  if (position < -size || position > size) {
    throw new CesqlError(
      'functionEvaluation',
      `SUBSTRING position ${position} is outside the string (length ${size})`,
      '',
    );
  }
  if (length !== undefined && length < 0) {
    // sdk-go slices out of range (a panic) here; the spec asks for "" and an error.
    throw new CesqlError('functionEvaluation', `SUBSTRING length ${length} is negative`, '');
  }
  const begin = position < 0 ? size + position : position - 1;
  const end = length === undefined ? size : Math.min(size, begin + length);
  return characters(text, begin, end);
}

const BUILT_INS: CesqlFunction[] = [
  fixed('INT', ['any'], 'integer', ([x]) => castToInteger(x!)),
  fixed('BOOL', ['any'], 'boolean', ([x]) => castToBoolean(x!)),
  fixed('STRING', ['any'], 'string', ([x]) => castToString(x!)),
  fixed('IS_INT', ['any'], 'boolean', ([x]) => canCast(x!, 'integer')),
  fixed('IS_BOOL', ['any'], 'boolean', ([x]) => canCast(x!, 'boolean')),
  fixed('ABS', ['integer'], 'integer', ([x]) => {
    const value = x as number;
    if (value === INT32_MIN) throw new CesqlError('math', 'ABS of -2147483648 overflows a 32-bit integer', INT32_MAX);
    return Math.abs(value);
  }),
  fixed('LENGTH', ['string'], 'integer', ([x]) => characterLength(x as string)),
  { name: 'CONCAT', parameters: [], variadic: 'string', returns: 'string', run: (args) => args.join('') },
  {
    name: 'CONCAT_WS',
    parameters: ['string'],
    variadic: 'string',
    returns: 'string',
    run: ([separator, ...parts]) => parts.join(separator as string),
  },
  fixed('LOWER', ['string'], 'string', ([x]) => (x as string).toLowerCase()),
  fixed('UPPER', ['string'], 'string', ([x]) => (x as string).toUpperCase()),
  fixed('TRIM', ['string'], 'string', ([x]) => (x as string).replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '')),
  fixed('LEFT', ['string', 'integer'], 'string', ([x, y]) => {
    const text = x as string;
    const count = y as number;
    if (count < 0) throw new CesqlError('functionEvaluation', `LEFT length ${count} is negative`, text);
    return characters(text, 0, count);
  }),
  fixed('RIGHT', ['string', 'integer'], 'string', ([x, y]) => {
    const text = x as string;
    const count = y as number;
    if (count < 0) throw new CesqlError('functionEvaluation', `RIGHT length ${count} is negative`, text);
    const size = characterLength(text);
    return count >= size ? text : characters(text, size - count, size);
  }),
  fixed('SUBSTRING', ['string', 'integer'], 'string', ([x, position]) =>
    substring(x as string, position as number, undefined),
  ),
  fixed('SUBSTRING', ['string', 'integer', 'integer'], 'string', ([x, position, length]) =>
    substring(x as string, position as number, length as number),
  ),
];

interface Overloads {
  readonly byArity: Map<number, CesqlFunction>;
  variadic: CesqlFunction | undefined;
}

const REGISTRY = new Map<string, Overloads>();
for (const fn of BUILT_INS) {
  let overloads = REGISTRY.get(fn.name);
  if (!overloads) REGISTRY.set(fn.name, (overloads = { byArity: new Map(), variadic: undefined }));
  if (fn.variadic) overloads.variadic = fn;
  else overloads.byArity.set(fn.parameters.length, fn);
}

/** The function a call dispatches to: an exact arity first, else a variadic one with few enough fixed parameters. */
export function resolveFunction(name: string, arity: number): CesqlFunction | undefined {
  const overloads = REGISTRY.get(name.toUpperCase());
  if (!overloads) return undefined;
  const exact = overloads.byArity.get(arity);
  if (exact) return exact;
  const variadic = overloads.variadic;
  return variadic && variadic.parameters.length <= arity ? variadic : undefined;
}

/** Every built-in's name, sorted, for error messages. */
export function functionNames(): string[] {
  return [...REGISTRY.keys()].sort();
}

/** Names and arities, for error messages. */
export function describeFunction(name: string): string | undefined {
  const overloads = REGISTRY.get(name.toUpperCase());
  if (!overloads) return undefined;
  const forms = [...overloads.byArity.keys()].map((n) => `${n} argument${n === 1 ? '' : 's'}`);
  if (overloads.variadic) forms.push(`${overloads.variadic.parameters.length} or more arguments`);
  return forms.join(' or ');
}

export function parameterType(fn: CesqlFunction, index: number): CesqlType {
  return fn.parameters[index] ?? fn.variadic ?? 'any';
}
