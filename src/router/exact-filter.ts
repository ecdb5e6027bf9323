// `exact`: every listed attribute exists and equals its value (Knative's exact filter).

import { readAttributeMap } from './attribute-map.js';
import type { CompiledFilter, EventFilter } from './filter.js';

export function compileExactFilter(spec: unknown, path: string): CompiledFilter {
  const matches = readAttributeMap('exact', spec, path);
  const type = matches.find((m) => m.name === 'type');
  return { test: exactTest(matches), types: type ? new Set([type.expected]) : undefined };
}

function exactTest(matches: ReturnType<typeof readAttributeMap>): EventFilter {
  const [only] = matches;
  if (matches.length === 1 && only) {
    const { read, expected } = only;
    return (event) => read(event) === expected;
  }
  return (event) => {
    for (const { read, expected } of matches) if (read(event) !== expected) return false;
    return true;
  };
}
