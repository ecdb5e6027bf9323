// Turns a trigger's Knative-shaped filter spec into one closure, validating everything up front.
// Dispatch is a registry from dialect key to compiler, so each kind lives in its own file.
//
// Semantics follow knative/eventing: pkg/broker/filter/filter_handler.go (a non-empty `filters` wins,
// else `filter`, else no filter; only FAIL stops delivery), pkg/eventfilter/subscriptionsapi/create.go
// (an entry with no non-empty dialect, or whose exact/prefix/suffix has an empty value, is skipped),
// all/any/not_filter.go (tri-state combination), attributes/filter.go (legacy filter) and
// pkg/apis/eventing/v1/trigger_validation.go (what is rejected at load: bad attribute names, several
// dialects in one entry, a CESQL expression that does not parse).
//
// Where livepipe deliberately differs from Knative:
// - `cel` is an extra dialect (Knative has none); it behaves like `cesql` (error or non-bool -> FAIL).
// - Rejected at load although Knative admits them: CESQL/CEL calls to unknown functions, statically
//   non-boolean expressions (Knative fails every event, or panics on a non-bool), unknown dialect keys
//   and non-string values (Kubernetes' typed API rejects those before the webhook).
// - all/any keep declaration order; Knative reorders children at run time by how often they decide,
//   which can change which child is "last" and so the result when no child decides.
// - An unset `time` reads as "" like the other optional attributes, and a set one compares as carried;
//   Knative formats it through Go's time.Time (unset: "0001-01-01T00:00:00Z").
// - CESQL: string functions and LIKE count Unicode characters (the spec), where sdk-go counts bytes;
//   SUBSTRING with a negative length returns "" with an error (the spec) where sdk-go panics; a
//   character the grammar does not know is a parse error, where sdk-go's lexer drops it with a warning.

import { allFilter } from './all-filter.js';
import { anyFilter } from './any-filter.js';
import type { EventRecord } from './attribute-reader.js';
import { compileAttributesFilter } from './attributes-filter.js';
import { compileCelFilter } from './cel-filter.js';
import { compileCesqlFilter } from './cesql-filter.js';
import { compileExactFilter } from './exact-filter.js';
import { FAIL, NO_FILTER_FILTER, invalidFilter, type CompiledFilter, type FilterHooks } from './filter.js';
import { notFilter } from './not-filter.js';
import { compilePrefixFilter } from './prefix-filter.js';
import { compileSuffixFilter } from './suffix-filter.js';

/** One entry of the `filters` dialect, in the Knative YAML shape (one non-empty dialect key). */
export type FilterSpec = Record<string, unknown>;

export interface TriggerFilterSpec {
  filter?: { attributes?: Record<string, string> };
  filters?: FilterSpec[];
}

/** undefined: the entry is skipped, as Knative drops a filter it cannot materialize. */
type DialectCompiler = (value: unknown, path: string, hooks: FilterHooks | undefined) => CompiledFilter | undefined;

const DIALECTS: Readonly<Record<string, DialectCompiler>> = {
  exact: (value, path) => compileExactFilter(value, path),
  prefix: (value, path) => compilePrefixFilter(value, path),
  suffix: (value, path) => compileSuffixFilter(value, path),
  all: (value, path, hooks) => (value == null ? undefined : allFilter(compileList(value, path, 'all', hooks))),
  any: (value, path, hooks) => (value == null ? undefined : anyFilter(compileList(value, path, 'any', hooks))),
  not: (value, path, hooks) => (value == null ? undefined : notFilter(compileEntry(value, path, hooks))),
  cesql: (value, path, hooks) => compileCesqlFilter(value, path, hooks),
  cel: (value, path, hooks) => (value === '' || value == null ? undefined : compileCelFilter(value, path, hooks)),
};

const DIALECT_NAMES = Object.keys(DIALECTS).join(', ');

/** Knative's test for "this dialect is set" (create.go, trigger_validation.go): a non-empty map, list or string, or any `not`. */
function isSet(key: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (key === 'not') return true;
  if (typeof value === 'string') return value !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function compileList(value: unknown, path: string, kind: string, hooks: FilterHooks | undefined): CompiledFilter[] {
  if (!Array.isArray(value)) {
    throw invalidFilter(path, `"${kind}" takes a list of filters, like ${kind}: [{ exact: { type: live.like } }]`);
  }
  return value.flatMap((entry, i) => compileEntry(entry, `${path}[${i}]`, hooks) ?? []);
}

/** One entry of a filters list; undefined when Knative would skip it (no dialect set, or an empty exact value). */
export function compileEntry(spec: unknown, path: string, hooks: FilterHooks | undefined): CompiledFilter | undefined {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidFilter(path, `a filter is a map with one of ${DIALECT_NAMES}`);
  }
  const entries = Object.entries(spec);
  for (const [key] of entries) {
    if (!Object.hasOwn(DIALECTS, key))
      throw invalidFilter(path, `unknown filter "${key}"; use one of ${DIALECT_NAMES}`);
  }
  const set = entries.filter(([key, value]) => isSet(key, value)).map(([key]) => key);
  if (set.length > 1) {
    throw invalidFilter(
      path,
      `a filter has exactly one of ${DIALECT_NAMES} (found: ${set.join(', ')}); combine several with all/any`,
    );
  }
  let chosen: CompiledFilter | undefined;
  for (const [key, value] of entries) {
    // Unset keys are compiled too, so a malformed one (a list for exact) is still reported.
    const compiled = DIALECTS[key]!(value, `${path}.${key}`, hooks);
    if (key === set[0]) chosen = compiled;
  }
  return chosen;
}

/** The compiled filter with its pinned types; the Router indexes on `types`. */
export function compileTriggerSpec(trigger: TriggerFilterSpec, hooks?: FilterHooks): CompiledFilter {
  const { filters, filter } = trigger;
  if (filters !== undefined && filters !== null && !Array.isArray(filters)) {
    throw invalidFilter('filters', 'expected a list of filters, like filters: [{ exact: { type: live.comment } }]');
  }
  // As filter_handler.go: a non-empty `filters` wins and `filter` is ignored; an empty one does not count.
  if (filters && filters.length > 0) return allFilter(compileList(filters, 'filters', 'filters', hooks));
  if (filter === undefined || filter === null) return NO_FILTER_FILTER;
  if (typeof filter !== 'object' || Array.isArray(filter)) {
    throw invalidFilter('filter', 'the legacy filter is { attributes: { type: ..., source: ... } }');
  }
  const unknown = Object.keys(filter).filter((key) => key !== 'attributes');
  if (unknown.length > 0) {
    throw invalidFilter(
      'filter',
      `unknown field "${unknown[0]}"; the legacy filter is { attributes: { type: ..., source: ... } }`,
    );
  }
  return compileAttributesFilter(filter.attributes, 'filter.attributes');
}

/** Compiles a trigger's `filter`/`filters` once; the result says whether the trigger delivers an event. */
export function compileTriggerFilter(
  trigger: TriggerFilterSpec,
  hooks?: FilterHooks,
): (event: Record<string, unknown>) => boolean {
  const { evaluate, constant } = compileTriggerSpec(trigger, hooks);
  if (constant !== undefined) return constant === FAIL ? passNone : passAll;
  return (event) => evaluate(event) !== FAIL;
}

function passAll(_event: EventRecord): boolean {
  return true;
}

function passNone(_event: EventRecord): boolean {
  return false;
}
