// `prefix`: every listed attribute exists and starts with its value (Knative's prefix filter).

import { readAttributeMap } from './attribute-map.js';
import type { CompiledFilter } from './filter.js';

export function compilePrefixFilter(spec: unknown, path: string): CompiledFilter {
  const matches = readAttributeMap('prefix', spec, path);
  return {
    test: (event) => {
      for (const { read, expected } of matches) {
        const value = read(event);
        if (value === undefined || !value.startsWith(expected)) return false;
      }
      return true;
    },
    types: undefined,
  };
}
