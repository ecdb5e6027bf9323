// Reads the pipeline schema itself to say what is allowed where: the keys a mapping accepts at a
// path (for "unknown key" errors) and the alternatives of a union. Keeps messages in step with
// the schema instead of repeating it.
import { z } from 'zod';
import type { FieldPath } from './field-path.js';

/** The schemas that may apply at `path` (several below a union), wrappers removed. */
export function schemasAt(root: z.ZodType, path: FieldPath): z.ZodType[] {
  let current = unwrap(root);
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const schema of current) {
      if (schema instanceof z.ZodObject && typeof segment === 'string') {
        const field = (schema.shape as Record<string, z.ZodType | undefined>)[segment];
        if (field !== undefined) next.push(...unwrap(field));
      } else if (schema instanceof z.ZodArray && typeof segment === 'number') {
        next.push(...unwrap(schema.element as z.ZodType));
      } else if (schema instanceof z.ZodRecord) {
        next.push(...unwrap(schema.valueType as z.ZodType));
      }
    }
    current = next;
  }
  return current;
}

/** Keys accepted by the mapping at `path`, in schema order; several object forms are merged. */
export function allowedKeysAt(root: z.ZodType, path: FieldPath): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    if (schema instanceof z.ZodObject) for (const key of Object.keys(schema.shape)) keys.add(key);
  }
  return [...keys];
}

/** Keys every mapping at `path` must have, per alternative: what tells a union's branches apart. */
export function requiredKeysAt(root: z.ZodType, path: FieldPath): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    if (!(schema instanceof z.ZodObject)) continue;
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      if (!(field instanceof z.ZodOptional) && !(field instanceof z.ZodDefault)) keys.add(key);
    }
  }
  return [...keys];
}

function unwrap(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodDefault) {
    return unwrap(schema.unwrap() as z.ZodType);
  }
  if (schema instanceof z.ZodPipe) return unwrap(schema.in as z.ZodType);
  if (schema instanceof z.ZodUnion) return (schema.options as readonly z.ZodType[]).flatMap(unwrap);
  return [schema];
}
