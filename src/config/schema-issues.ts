// Turns zod's issues into config issues a person can act on: each names the field, says what
// was found and what is allowed, and carries the line and column where the YAML wrote it.
import type { z } from 'zod';
import type { ConfigIssue } from './config-error.js';
import { formatFieldPath, toFieldPath, type FieldPath } from './field-path.js';
import { allowedKeysAt, requiredKeysAt } from './schema-keys.js';
import type { SourceLocator } from './source-locator.js';

type ZodIssue = z.core.$ZodIssue;

export interface IssueContext {
  file: string;
  schema: z.ZodType;
  /** The document as plain data, to say what was written where zod only says it was wrong. */
  data: unknown;
  locator: SourceLocator;
}

export function configIssuesFrom(issues: readonly ZodIssue[], context: IssueContext): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) collect(issue, [], context, out);
  return out;
}

function collect(issue: ZodIssue, prefix: FieldPath, context: IssueContext, out: ConfigIssue[]): void {
  const path = [...prefix, ...toFieldPath(issue.path)];
  const { locator } = context;
  const found = lookup(context.data, path);
  const at = (position: { line: number; column: number }, fieldPath: FieldPath, message: string): void => {
    out.push({
      file: context.file,
      line: position.line,
      column: position.column,
      path: formatFieldPath(fieldPath),
      message,
    });
  };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(context.schema, path);
      for (const key of issue.keys) {
        const suggestion = closest(key, allowed);
        const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
        at(
          locator.keyAt([...path, key]),
          [...path, key],
          `unknown key "${key}"${hint}; allowed keys here: ${allowed.join(', ')}`,
        );
      }
      return;
    }
    case 'invalid_type': {
      if (!found.present) {
        const parent = path.slice(0, -1);
        at(
          locator.keyAt(parent),
          path,
          `missing required field "${String(path[path.length - 1])}" (expected ${noun(issue.expected)})`,
        );
        return;
      }
      at(locator.valueAt(path), path, `expected ${noun(issue.expected)}, got ${describe(found.value)}`);
      return;
    }
    case 'invalid_value': {
      const got = describe(found.value);
      const message =
        issue.values.length === 1
          ? `expected ${JSON.stringify(issue.values[0])}, got ${got}`
          : `expected one of: ${issue.values.map(String).join(', ')}; got ${got}`;
      at(locator.valueAt(path), path, message);
      return;
    }
    case 'invalid_union': {
      unionIssue(issue, path, found, context, out, at);
      return;
    }
    case 'invalid_key': {
      const reason = issue.issues.map((inner) => inner.message).join('; ');
      at(locator.keyAt(path), path, `invalid key "${String(path[path.length - 1])}": ${reason}`);
      return;
    }
    case 'too_small':
    case 'too_big': {
      at(locator.valueAt(path), path, boundMessage(issue, found.value));
      return;
    }
    case 'not_multiple_of': {
      at(locator.valueAt(path), path, `must be a multiple of ${String(issue.divisor)}, got ${describe(found.value)}`);
      return;
    }
    default: {
      // invalid_format (regex, with the schema's own message), custom (durations) and the rest.
      // A rule about a whole mapping (e.g. "one source kind") says it all; a value rule shows the value.
      const got = isMapping(found.value) ? '' : `, got ${describe(found.value)}`;
      at(locator.valueAt(path), path, `${issue.message}${got}`);
    }
  }
}

/**
 * zod reports every branch of a failed union. When the written mapping clearly meant one branch
 * (it has that branch's key), that branch's own issues are the useful ones; otherwise the user
 * needs to hear which alternatives exist.
 */
function unionIssue(
  issue: z.core.$ZodIssueInvalidUnion,
  path: FieldPath,
  found: Found,
  context: IssueContext,
  out: ConfigIssue[],
  at: (position: { line: number; column: number }, fieldPath: FieldPath, message: string) => void,
): void {
  const alternatives = allowedKeysAt(context.schema, path);
  const position = context.locator.valueAt(path);
  if (alternatives.length === 0) {
    // A union of plain values (durations): its own message says what is accepted.
    const message = issue.message === 'Invalid input' ? 'does not match any accepted form' : issue.message;
    at(position, path, `${message}, got ${describe(found.value)}`);
    return;
  }
  // Name the branches by the keys that tell them apart (model, overlay, uri…), not their options.
  const branchKeys = requiredKeysAt(context.schema, path);
  const oneOf = `one of: ${(branchKeys.length > 0 ? branchKeys : alternatives).join(', ')}`;
  if (!isMapping(found.value)) {
    at(
      position,
      path,
      found.present
        ? `expected a mapping with ${oneOf}; got ${describe(found.value)}`
        : `missing required field "${String(path[path.length - 1])}" (a mapping with ${oneOf})`,
    );
    return;
  }
  const fitting = issue.errors.filter((branch) =>
    branch.every((inner) => !rejectsShape(inner, found.value as Record<string, unknown>)),
  );
  if (fitting.length === 1) {
    for (const inner of fitting[0]!) collect(inner, path, context, out);
    return;
  }
  const keys = Object.keys(found.value);
  const written = keys.filter((key) => (branchKeys.length > 0 ? branchKeys : alternatives).includes(key));
  const unknown = keys.filter((key) => !alternatives.includes(key));
  for (const key of unknown) {
    const keyPath = [...path, key];
    at(context.locator.keyAt(keyPath), keyPath, `unknown key "${key}"; allowed keys here: ${oneOf}`);
  }
  if (written.length > 1) at(position, path, `takes exactly ${oneOf}; got ${written.join(' and ')}`);
  else if (unknown.length === 0) at(position, path, `needs ${oneOf}`);
}

/** Whether an issue says the mapping has the wrong set of keys for this branch (not a wrong value). */
function rejectsShape(issue: ZodIssue, mapping: Record<string, unknown>): boolean {
  if (issue.path.length === 0) return true;
  if (issue.code === 'invalid_type' && issue.path.length === 1) return mapping[String(issue.path[0])] === undefined;
  return false;
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown): string {
  const small = issue.code === 'too_small';
  const limit = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `needs ${small ? 'at least' : 'at most'} ${String(limit)} item${Number(limit) === 1 ? '' : 's'}, got ${describe(value)}`;
    case 'string':
      if (small && Number(limit) === 1) return 'must not be empty';
      return `must be ${small ? 'at least' : 'at most'} ${String(limit)} characters long, got ${describe(value)}`;
    default: {
      const operator = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
      return `must be ${operator} ${String(limit)}, got ${describe(value)}`;
    }
  }
}

interface Found {
  present: boolean;
  value: unknown;
}

function lookup(data: unknown, path: FieldPath): Found {
  let current: unknown = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') {
      if (segment >= current.length) return { present: false, value: undefined };
      current = current[segment];
    } else if (isMapping(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return { present: false, value: undefined };
    }
  }
  return { present: current !== undefined, value: current };
}

function isMapping(value: unknown): value is Record<string | number, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NOUNS: Record<string, string> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

function noun(expected: string): string {
  return NOUNS[expected] ?? expected;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

/** The allowed key a typo most likely meant: edit distance at most 2, and less than the key's length. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(3, key.length);
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
