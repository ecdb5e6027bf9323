// Validates the `{ attribute: value }` maps of exact, prefix and suffix once, with Knative's rules:
// at least one entry, no empty attribute name or value.

import { ATTRIBUTE_NAME, attributeReader, type AttributeReader } from './attribute-reader.js';
import { invalidFilter } from './filter.js';

export interface AttributeMatch {
  readonly name: string;
  readonly expected: string;
  readonly read: AttributeReader;
}

export function readAttributeMap(kind: string, spec: unknown, path: string): AttributeMatch[] {
  const example = `${kind}: { type: live.comment }`;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw invalidFilter(path, `"${kind}" takes a map of attribute to value, like ${example}`);
  }
  const entries = Object.entries(spec);
  if (entries.length === 0) {
    throw invalidFilter(path, `"${kind}" needs at least one attribute, like ${example}`);
  }
  return entries.map(([name, expected]) => {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidFilter(
        path,
        `attribute name "${name}" is not a CloudEvents attribute name (lower-case letters and digits); use CEL for data fields`,
      );
    }
    if (typeof expected !== 'string' || expected === '') {
      throw invalidFilter(path, `"${kind}" value for "${name}" must be a non-empty string (quote numbers in YAML)`);
    }
    return { name, expected, read: attributeReader(name) };
  });
}
