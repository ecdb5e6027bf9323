// `exact`: every listed attribute exists and its string form equals the value (Knative's exact_filter.go).
// An empty map or an empty value skips the entry (undefined), as NewExactFilter's error does in Knative.

import { readAttributeMap, type AttributeMatch } from './attribute-map.js';
import { stringForm } from './attribute-reader.js';
import { FAIL, PASS, type CompiledFilter, type EventFilter } from './filter.js';

export function compileExactFilter(spec: unknown, path: string): CompiledFilter | undefined {
  const matches = readAttributeMap('exact', spec, path);
  if (!matches) return undefined;
  const type = matches.find((m) => m.name === 'type');
  return { evaluate: exactTest(matches), constant: undefined, types: type ? new Set([type.expected]) : undefined };
}

function exactTest(matches: AttributeMatch[]): EventFilter {
  const [only] = matches;
  if (matches.length === 1 && only) {
    const { read, expected } = only;
    return (event) => {
      const value = read(event);
      return value === expected || (typeof value !== 'string' && stringForm(value) === expected) ? PASS : FAIL;
    };
  }
  return (event) => {
    for (const { read, expected } of matches) {
      const value = read(event);
      if (value !== expected && (typeof value === 'string' || stringForm(value) !== expected)) return FAIL;
    }
    return PASS;
  };
}
