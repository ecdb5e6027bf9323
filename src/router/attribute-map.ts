// Reads the `{ attribute: value }` maps of exact, prefix and suffix once, with Knative's rules: the
// webhook rejects a bad attribute name (trigger_validation.go); an empty map, or an empty value
// anywhere in it, makes the whole entry skipped (create.go, New*Filter), not an error.

import { ATTRIBUTE_NAME, attributeReader, type AttributeReader } from './attribute-reader.js';
import { invalidFilter } from './filter.js';

export interface AttributeMatch {
  readonly name: string;
  readonly expected: string;
  readonly read: AttributeReader;
}

/** The matches, or undefined when Knative skips the entry (no attributes, or an empty value). */
export function readAttributeMap(kind: string, spec: unknown, path: string): AttributeMatch[] | undefined {
  const example = `${kind}: { type: live.comment }`;
  if (spec === null || spec === undefined) return undefined;
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    throw invalidFilter(path, `"${kind}" takes a map of attribute to value, like ${example}`);
  }
  const matches = Object.entries(spec).map(([name, expected]) => {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidFilter(
        path,
        `attribute name "${name}" is not valid: it must start with a lower-case letter and hold only lower-case letters and digits (use cel or cesql for data fields)`,
      );
    }
    if (typeof expected !== 'string') {
      throw invalidFilter(path, `"${kind}" value for "${name}" must be a string (quote numbers and booleans in YAML)`);
    }
    return { name, expected, read: attributeReader(name) };
  });
  if (matches.length === 0 || matches.some((m) => m.expected === '')) return undefined;
  return matches;
}
