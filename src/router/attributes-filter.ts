// The legacy `filter.attributes` dialect: each attribute exists and equals its value, where ""
// means any value. Core attributes always exist (unset reads as ""); an absent extension fails.

import { ATTRIBUTE_NAME, attributeReader } from './attribute-reader.js';
import { NO_FILTER, invalidFilter, type CompiledFilter } from './filter.js';

export function compileAttributesFilter(spec: unknown, path: string): CompiledFilter {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidFilter(path, 'expected a map of attribute to value, like attributes: { type: live.comment }');
  }
  const matches = Object.entries(spec).map(([name, expected]) => {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidFilter(path, `attribute name "${name}" is not a CloudEvents attribute name (lower-case letters and digits)`);
    }
    if (typeof expected !== 'string') {
      throw invalidFilter(path, `value for "${name}" must be a string ("" matches any value; quote numbers in YAML)`);
    }
    return { read: attributeReader(name), expected, any: expected === '' };
  });
  if (matches.length === 0) return NO_FILTER;
  const type = (spec as Record<string, unknown>).type;
  return {
    test: (event) => {
      for (const { read, expected, any } of matches) {
        const value = read(event);
        if (value === undefined || (!any && value !== expected)) return false;
      }
      return true;
    },
    types: typeof type === 'string' && type !== '' ? new Set([type]) : undefined,
  };
}
