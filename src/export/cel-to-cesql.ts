// Translates the part of CEL that CloudEvents SQL can say (attribute comparisons, &&, ||, !, has, in,
// startsWith/endsWith/contains) so a Knative Trigger can filter with `cesql`. CESQL sees attributes only,
// never `data`, so a CEL filter on the payload has no translation and stays on livepipe's side.
import { parse } from '@bufbuild/cel';
import { ATTRIBUTE_NAME } from '../router/attribute-reader.js';
import { EVENT_VARIABLE } from '../router/cel-check.js';

type Expr = ReturnType<typeof parse>['expr'];

export type CesqlTranslation = { readonly cesql: string } | { readonly untranslatable: string };

/** CESQL integers are 32-bit signed; CEL's are 64-bit. */
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

const COMPARISONS: Readonly<Record<string, string>> = {
  '_==_': '=',
  '_!=_': '!=',
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
};

class Untranslatable extends Error {}

/** The CESQL form of a CEL filter, or why there is none. A CEL expression that does not parse has none either. */
export function celToCesql(expression: string): CesqlTranslation {
  let root: Expr;
  try {
    root = parse(expression).expr;
  } catch (error) {
    return {
      untranslatable: `it does not parse as CEL (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    };
  }
  try {
    return { cesql: translate(root, true) };
  } catch (error) {
    if (error instanceof Untranslatable) return { untranslatable: error.message };
    throw error;
  }
}

function translate(expr: Expr | undefined, top: boolean): string {
  const kind = expr?.exprKind;
  if (kind === undefined) throw new Untranslatable('an empty expression');
  switch (kind.case) {
    case 'constExpr':
      return literal(expr);
    case 'selectExpr':
      if (kind.value.testOnly) return `EXISTS ${attributeOf(kind.value.operand, kind.value.field)}`;
      return attributeOf(kind.value.operand, kind.value.field);
    case 'callExpr': {
      const { function: name, target, args } = kind.value;
      const [left, right] = args;
      const operator = COMPARISONS[name];
      if (operator !== undefined) return group(`${operand(left)} ${operator} ${operand(right)}`, top);
      if (name === '_&&_') return group(`${translate(left, false)} AND ${translate(right, false)}`, top);
      if (name === '_||_') return group(`${translate(left, false)} OR ${translate(right, false)}`, top);
      if (name === '!_') return `NOT ${translate(left, false)}`;
      if (name === '_[_]') return attributeOf(left, stringConstant(right, 'an index that is not a string'));
      if (name === '@in') return group(`${operand(left)} IN (${listElements(right).join(', ')})`, top);
      if (name === 'startsWith' || name === 'endsWith' || name === 'contains') {
        if (target === undefined || left === undefined) throw new Untranslatable(`${name} without a receiver`);
        const text = likeText(stringConstant(left, `${name} with an argument that is not a string literal`));
        const pattern = name === 'startsWith' ? `${text}%` : name === 'endsWith' ? `%${text}` : `%${text}%`;
        return group(`${operand(target)} LIKE ${quote(pattern)}`, top);
      }
      throw new Untranslatable(`CESQL has no equivalent of CEL's ${displayName(name)}`);
    }
    case 'identExpr':
      throw new Untranslatable(`the bare variable "${kind.value.name}" (CESQL reads attributes, e.g. event.type)`);
    default:
      throw new Untranslatable(`CESQL has no equivalent of a CEL ${kind.case ?? 'expression'}`);
  }
}

/** A comparison's side: an attribute or a literal, never a nested boolean that CESQL would read differently. */
function operand(expr: Expr | undefined): string {
  const kind = expr?.exprKind;
  if (kind?.case === 'constExpr') return literal(expr);
  if (kind?.case === 'selectExpr' && !kind.value.testOnly) return attributeOf(kind.value.operand, kind.value.field);
  if (kind?.case === 'callExpr' && kind.value.function === '_[_]') return translate(expr, false);
  throw new Untranslatable('a comparison of something other than an attribute and a literal');
}

/** `event.<name>` (or `event['<name>']`) is the attribute; anything deeper, such as `event.data.x`, is payload. */
function attributeOf(operandExpr: Expr | undefined, field: string): string {
  const kind = operandExpr?.exprKind;
  if (kind?.case !== 'identExpr' || kind.value.name !== EVENT_VARIABLE) {
    throw new Untranslatable('it reads the event data (CESQL sees only context attributes)');
  }
  if (field === 'data') throw new Untranslatable('it reads the event data (CESQL sees only context attributes)');
  if (!ATTRIBUTE_NAME.test(field)) throw new Untranslatable(`"${field}" is not a CloudEvents attribute name`);
  return field;
}

function literal(expr: Expr | undefined): string {
  const kind = expr?.exprKind;
  if (kind?.case !== 'constExpr') throw new Untranslatable('a value that is not a literal');
  const constant = kind.value.constantKind;
  switch (constant.case) {
    case 'stringValue':
      return quote(constant.value);
    case 'boolValue':
      return constant.value ? 'TRUE' : 'FALSE';
    case 'int64Value':
    case 'uint64Value': {
      const value = BigInt(constant.value);
      if (value < INT32_MIN || value > INT32_MAX)
        throw new Untranslatable(`the integer ${value} is outside CESQL's 32-bit range`);
      return value.toString();
    }
    default:
      throw new Untranslatable(
        `CESQL has no ${constant.case === 'doubleValue' ? 'floating-point numbers' : (constant.case ?? 'such literal')}`,
      );
  }
}

function listElements(expr: Expr | undefined): string[] {
  const kind = expr?.exprKind;
  if (kind?.case !== 'listExpr' || kind.value.elements.length === 0)
    throw new Untranslatable('"in" over something other than a non-empty list literal');
  return kind.value.elements.map((element) => literal(element));
}

function stringConstant(expr: Expr | undefined, why: string): string {
  const kind = expr?.exprKind;
  if (kind?.case === 'constExpr' && kind.value.constantKind.case === 'stringValue')
    return kind.value.constantKind.value;
  throw new Untranslatable(why);
}

/** LIKE escapes differ between CESQL implementations; a pattern that would need one is left to livepipe. */
function likeText(text: string): string {
  if (/[%_\\]/.test(text))
    throw new Untranslatable(`the text ${JSON.stringify(text)} holds %, _ or \\, which LIKE would need escaped`);
  return text;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function group(text: string, top: boolean): string {
  return top ? text : `(${text})`;
}

function displayName(name: string): string {
  return name.replace(/^_|_$/g, '').replace(/^@/, '').replace(/_/g, ' ').trim() || name;
}
