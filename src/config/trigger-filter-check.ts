// Compiles every trigger's filters at load, with the router's own compiler, so a bad filter or
// CEL expression is a config error with a line number rather than a failure when events flow.
import { isLivepipeError } from '../errors.js';
import { compileTriggerFilter } from '../router/index.js';
import type { ConfigIssue } from './config-error.js';
import { formatFieldPath, type FieldPath } from './field-path.js';
import type { TriggerSpec } from './schema.js';
import type { SourceLocator } from './source-locator.js';

type FilterEntry = Record<string, unknown>;

export function checkTriggerFilters(
  triggers: readonly TriggerSpec[],
  file: string,
  locator: SourceLocator,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  triggers.forEach((trigger, index) => {
    const problem = filterProblem(trigger);
    if (problem === undefined) return;
    const path = locateProblem(trigger, ['triggers', index]);
    const { line, column } = locator.valueAt(path);
    issues.push({
      file,
      line,
      column,
      path: formatFieldPath(path),
      message: withoutRouterPath(problem, path.slice(2)),
    });
  });
  return issues;
}

/** The router's message when the trigger's filters do not compile; undefined when they do. */
function filterProblem(trigger: TriggerSpec): string | undefined {
  try {
    compileTriggerFilter(trigger);
    return undefined;
  } catch (error) {
    if (isLivepipeError(error) && error.code === 'LP_FILTER_INVALID') return error.message;
    throw error;
  }
}

/**
 * The router reports a trigger as a whole; compiling the entries one at a time (and the entries
 * of all/any/not below them) finds the innermost one at fault, so the line points at it.
 */
function locateProblem(trigger: TriggerSpec, triggerPath: FieldPath): FieldPath {
  const { filter: _legacy, filters, ...rest } = trigger;
  if (filters !== undefined) {
    for (const [index, entry] of filters.entries()) {
      const found = locateEntry(rest, entry, [...triggerPath, 'filters', index]);
      if (found !== undefined) return found;
    }
  }
  if (trigger.filter !== undefined && filterProblem({ ...rest, filter: trigger.filter }) !== undefined) {
    return [...triggerPath, 'filter'];
  }
  return [...triggerPath, filters !== undefined ? 'filters' : 'name'];
}

function locateEntry(
  base: Omit<TriggerSpec, 'filter' | 'filters'>,
  entry: FilterEntry,
  path: FieldPath,
): FieldPath | undefined {
  if (filterProblem({ ...base, filters: [entry] }) === undefined) return undefined;
  const dialects = Object.keys(entry);
  if (dialects.length !== 1) return path;
  const dialect = dialects[0]!;
  const operand = entry[dialect];
  if ((dialect === 'all' || dialect === 'any') && Array.isArray(operand)) {
    for (const [index, child] of operand.entries()) {
      if (!isEntry(child)) return [...path, dialect, index];
      const found = locateEntry(base, child, [...path, dialect, index]);
      if (found !== undefined) return found;
    }
  } else if (dialect === 'not' && isEntry(operand)) {
    const found = locateEntry(base, operand, [...path, dialect]);
    if (found !== undefined) return found;
  }
  return [...path, dialect];
}

/** The router prefixes its message with the path inside the trigger; ours already names the field. */
function withoutRouterPath(message: string, pathInTrigger: FieldPath): string {
  const prefix = `${formatFieldPath(pathInTrigger)}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

function isEntry(value: unknown): value is FilterEntry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
