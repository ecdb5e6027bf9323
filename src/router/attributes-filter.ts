// The legacy `filter.attributes` dialect, as Knative's pkg/eventfilter/attributes/filter.go: every
// attribute exists and equals its value; "" (TriggerAnyFilter) requires a present, NON-EMPTY value, so an
// unset core attribute (which reads as "") fails it. Values compare as Go interfaces do: a non-string
// extension (a number) never equals a string, although "" still accepts it as present.

import { ATTRIBUTE_NAME, attributeReader } from './attribute-reader.js';
import { FAIL, NO_FILTER_FILTER, PASS, invalidFilter, type CompiledFilter } from './filter.js';

export function compileAttributesFilter(spec: unknown, path: string): CompiledFilter {
  // A filter without attributes is Knative's nil map: NoFilter.
  if (spec === undefined || spec === null) return NO_FILTER_FILTER;
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    throw invalidFilter(path, 'expected a map of attribute to value, like attributes: { type: live.comment }');
  }
  const matches = Object.entries(spec).map(([name, expected]) => {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidFilter(
        path,
        `attribute name "${name}" is not valid: it must start with a lower-case letter and hold only lower-case letters and digits`,
      );
    }
    if (typeof expected !== 'string') {
      throw invalidFilter(
        path,
        `value for "${name}" must be a string ("" means any non-empty value; quote numbers in YAML)`,
      );
    }
    return { read: attributeReader(name), expected, any: expected === '' };
  });
  const type = (spec as Record<string, unknown>).type;
  return {
    evaluate: (event) => {
      for (const { read, expected, any } of matches) {
        const value = read(event);
        if (value === undefined || (any ? value === '' : value !== expected)) return FAIL;
      }
      return PASS;
    },
    constant: matches.length === 0 ? PASS : undefined,
    types: typeof type === 'string' && type !== '' ? new Set([type]) : undefined,
  };
}
