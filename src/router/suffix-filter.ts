// `suffix`: every listed attribute exists and ends with its value (Knative's suffix filter).

import { readAttributeMap } from './attribute-map.js';
import type { CompiledFilter } from './filter.js';

export function compileSuffixFilter(spec: unknown, path: string): CompiledFilter {
  const matches = readAttributeMap('suffix', spec, path);
  return {
    test: (event) => {
      for (const { read, expected } of matches) {
        const value = read(event);
        if (value === undefined || !value.endsWith(expected)) return false;
      }
      return true;
    },
    types: undefined,
  };
}
