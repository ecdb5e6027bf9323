// `suffix`: every listed attribute exists and its string form ends with the value (Knative's suffix_filter.go).
// An empty map or an empty value skips the entry (undefined).

import { readAttributeMap } from './attribute-map.js';
import { stringForm } from './attribute-reader.js';
import { FAIL, PASS, type CompiledFilter } from './filter.js';

export function compileSuffixFilter(spec: unknown, path: string): CompiledFilter | undefined {
  const matches = readAttributeMap('suffix', spec, path);
  if (!matches) return undefined;
  return {
    evaluate: (event) => {
      for (const { read, expected } of matches) {
        const raw = read(event);
        const value = typeof raw === 'string' ? raw : stringForm(raw);
        if (value === undefined || !value.endsWith(expected)) return FAIL;
      }
      return PASS;
    },
    constant: undefined,
    types: undefined,
  };
}
