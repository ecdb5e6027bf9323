// Load-time checks for a parsed CEL filter that @bufbuild/cel leaves to run time: every variable is
// `event` (or a macro's loop variable), every function exists, and the result can be a bool.

import type { parse } from '@bufbuild/cel';

type Expr = ReturnType<typeof parse>['expr'];

/** What the checker knows of a sub-expression's type: a CEL type name, or 'dyn' when it depends on the event. */
type StaticType = string;

/** The event variable; a map whose fields are only known per event. */
export const EVENT_VARIABLE = 'event';

/** Operators the planner implements itself rather than through the function registry. */
const BUILT_IN_OPERATORS: ReadonlySet<string> = new Set(['_&&_', '_||_', '_?_:_', '@not_strictly_false', '_[_]']);

const BOOL_FUNCTIONS: ReadonlySet<string> = new Set([
  '_==_',
  '_!=_',
  '_<_',
  '_<=_',
  '_>_',
  '_>=_',
  '@in',
  '_&&_',
  '_||_',
  '!_',
  '@not_strictly_false',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'bool',
]);

/** Functions whose result type is fixed and not bool (so a filter made of one is a mistake). */
const TYPED_FUNCTIONS: Readonly<Record<string, StaticType>> = {
  size: 'int',
  int: 'int',
  uint: 'uint',
  double: 'double',
  string: 'string',
  bytes: 'bytes',
  timestamp: 'timestamp',
  duration: 'duration',
  type: 'type',
  '-_': 'number',
  getSeconds: 'int',
  getMinutes: 'int',
  getHours: 'int',
  getMilliseconds: 'int',
  getFullYear: 'int',
  getMonth: 'int',
  getDate: 'int',
  getDayOfMonth: 'int',
  getDayOfWeek: 'int',
  getDayOfYear: 'int',
  charAt: 'string',
  indexOf: 'int',
  lastIndexOf: 'int',
  lowerAscii: 'string',
  upperAscii: 'string',
  replace: 'string',
  split: 'list',
  substring: 'string',
  trim: 'string',
  join: 'string',
  quote: 'string',
  format: 'string',
};

const ARITHMETIC: ReadonlySet<string> = new Set(['_+_', '_-_', '_*_', '_/_', '_%_']);

/** Type names usable as values (`type(x) == int`). */
const TYPE_IDENTIFIERS: ReadonlySet<string> = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);

export interface CelCheckResult {
  /** The first problem found, phrased for the user; undefined when the expression is fine. */
  problem?: string;
  /** The result type where it is statically known ('dyn' otherwise). */
  type: StaticType;
}

export function checkCelExpression(root: Expr, knownFunction: (name: string) => boolean): CelCheckResult {
  let problem: string | undefined;
  const report = (message: string) => {
    problem ??= message;
  };

  const infer = (expr: Expr | undefined, scope: ReadonlyMap<string, StaticType>): StaticType => {
    if (!expr) return 'dyn';
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr': {
        const constant = kind.value.constantKind.case;
        return constant === 'boolValue' ? 'bool' : constant === 'nullValue' ? 'null' : constantType(constant);
      }
      case 'identExpr': {
        const name = kind.value.name;
        const bound = scope.get(name);
        if (bound !== undefined) return bound;
        if (name === EVENT_VARIABLE) return 'map';
        if (TYPE_IDENTIFIERS.has(name)) return 'type';
        report(
          `unknown variable "${name}" (the event is the variable "${EVENT_VARIABLE}", e.g. ${EVENT_VARIABLE}.type)`,
        );
        return 'dyn';
      }
      case 'selectExpr':
        infer(kind.value.operand, scope);
        return kind.value.testOnly ? 'bool' : 'dyn';
      case 'callExpr': {
        const { function: name, target, args } = kind.value;
        infer(target, scope);
        const argTypes = args.map((arg) => infer(arg, scope));
        if (!BUILT_IN_OPERATORS.has(name) && !knownFunction(name)) {
          report(`unknown function "${name}"`);
          return 'dyn';
        }
        if (BOOL_FUNCTIONS.has(name)) return 'bool';
        if (name === '_?_:_') return argTypes[1] === argTypes[2] ? (argTypes[1] ?? 'dyn') : 'dyn';
        if (ARITHMETIC.has(name)) {
          const known = argTypes.find((t) => t !== 'dyn');
          return known ?? 'dyn';
        }
        return TYPED_FUNCTIONS[name] ?? 'dyn';
      }
      case 'listExpr':
        for (const element of kind.value.elements) infer(element, scope);
        return 'list';
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') infer(entry.keyKind.value, scope);
          infer(entry.value, scope);
        }
        return kind.value.messageName ? kind.value.messageName : 'map';
      case 'comprehensionExpr': {
        const c = kind.value;
        infer(c.iterRange, scope);
        const inner = new Map(scope);
        inner.set(c.accuVar, infer(c.accuInit, scope));
        inner.set(c.iterVar, 'dyn');
        if (c.iterVar2) inner.set(c.iterVar2, 'dyn');
        infer(c.loopCondition, inner);
        infer(c.loopStep, inner);
        return infer(c.result, inner);
      }
      default:
        return 'dyn';
    }
  };

  const type = infer(root, new Map());
  return problem === undefined ? { type } : { problem, type };
}

function constantType(constant: string | undefined): StaticType {
  switch (constant) {
    case 'int64Value':
      return 'int';
    case 'uint64Value':
      return 'uint';
    case 'doubleValue':
      return 'double';
    case 'stringValue':
      return 'string';
    case 'bytesValue':
      return 'bytes';
    default:
      return 'dyn';
  }
}
