// Turns a trigger's Knative-shaped filter spec into one closure, validating everything up front.
// Dispatch is a registry from dialect key to compiler, so each kind lives in its own file.

import { allFilter } from './all-filter.js';
import { anyFilter } from './any-filter.js';
import type { EventRecord } from './attribute-reader.js';
import { compileAttributesFilter } from './attributes-filter.js';
import { compileCelFilter } from './cel-filter.js';
import { compileExactFilter } from './exact-filter.js';
import { invalidFilter, type CompiledFilter, type FilterHooks } from './filter.js';
import { notFilter } from './not-filter.js';
import { compilePrefixFilter } from './prefix-filter.js';
import { compileSuffixFilter } from './suffix-filter.js';

/** One entry of the `filters` dialect, in the Knative YAML shape (exactly one dialect key). */
export type FilterSpec = Record<string, unknown>;

export interface TriggerFilterSpec {
  filter?: { attributes: Record<string, string> };
  filters?: FilterSpec[];
}

type DialectCompiler = (value: unknown, path: string, hooks: FilterHooks | undefined) => CompiledFilter;

const DIALECTS: Readonly<Record<string, DialectCompiler>> = {
  exact: (value, path) => compileExactFilter(value, path),
  prefix: (value, path) => compilePrefixFilter(value, path),
  suffix: (value, path) => compileSuffixFilter(value, path),
  all: (value, path, hooks) => allFilter(compileList(value, path, 'all', hooks)),
  any: (value, path, hooks) => anyFilter(compileList(value, path, 'any', hooks)),
  not: (value, path, hooks) => notFilter(compileEntry(value, path, hooks)),
  cel: (value, path, hooks) => compileCelFilter(value, path, hooks),
};

const DIALECT_NAMES = Object.keys(DIALECTS).join(', ');

function compileList(value: unknown, path: string, kind: string, hooks: FilterHooks | undefined): CompiledFilter[] {
  if (!Array.isArray(value)) {
    throw invalidFilter(path, `"${kind}" takes a list of filters, like ${kind}: [{ exact: { type: live.like } }]`);
  }
  return value.map((entry, i) => compileEntry(entry, `${path}[${i}]`, hooks));
}

export function compileEntry(spec: unknown, path: string, hooks: FilterHooks | undefined): CompiledFilter {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidFilter(path, `a filter is a map with one of ${DIALECT_NAMES}`);
  }
  const keys = Object.keys(spec);
  const [key] = keys;
  if (keys.length !== 1 || key === undefined) {
    const found = keys.length === 0 ? 'none' : keys.join(', ');
    throw invalidFilter(path, `a filter has exactly one of ${DIALECT_NAMES} (found: ${found}); combine several with all/any`);
  }
  const compile = Object.hasOwn(DIALECTS, key) ? DIALECTS[key] : undefined;
  if (!compile) throw invalidFilter(path, `unknown filter "${key}"; use one of ${DIALECT_NAMES}`);
  return compile((spec as FilterSpec)[key], `${path}.${key}`, hooks);
}

/** The compiled filter with its pinned types; the Router indexes on `types`. */
export function compileTriggerSpec(trigger: TriggerFilterSpec, hooks?: FilterHooks): CompiledFilter {
  const { filters, filter } = trigger;
  if (filters !== undefined && !Array.isArray(filters)) {
    throw invalidFilter('filters', 'expected a list of filters, like filters: [{ exact: { type: live.comment } }]');
  }
  // As in Knative: a non-empty `filters` wins and `filter` is ignored.
  if (filters && filters.length > 0) {
    return allFilter(filters.map((entry, i) => compileEntry(entry, `filters[${i}]`, hooks)));
  }
  if (filter === undefined || filter === null) return allFilter([]);
  if (typeof filter !== 'object' || !('attributes' in filter)) {
    throw invalidFilter('filter', 'the legacy filter is { attributes: { type: ..., source: ... } }');
  }
  return compileAttributesFilter(filter.attributes, 'filter.attributes');
}

/** Compiles a trigger's `filter`/`filters` once; the result says whether an event passes. */
export function compileTriggerFilter(
  trigger: TriggerFilterSpec,
  hooks?: FilterHooks,
): (event: Record<string, unknown>) => boolean {
  const test = compileTriggerSpec(trigger, hooks).test;
  return test ?? passAll;
}

function passAll(_event: EventRecord): boolean {
  return true;
}
