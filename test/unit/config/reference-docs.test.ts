import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationSchema } from '../../../src/config/duration-schema.js';
import {
  pipelineReference,
  REFERENCE_BEGIN,
  REFERENCE_END,
  renderReference,
  undocumentedFields,
  withReference,
} from '../../../src/config/reference-docs.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('the README pipeline reference', () => {
  it('is exactly what the schema generates (run `npm run docs:reference` after changing the schema)', () => {
    expect(withReference(readme)).toBe(readme);
  });

  it('documents every field of the schema', () => {
    expect(undocumentedFields()).toEqual([]);
  });

  it('lists fields that exist only in the schema, like the distributed pool options', () => {
    const models = pipelineReference().find((section) => section.name === 'models[]');
    const paths = models?.rows.map((row) => row.path) ?? [];
    expect(paths).toContain('distributed.localWorkers');
    expect(paths).toContain('batch.deadlinePolicy');
  });
});

describe('renderReference', () => {
  const schema = z.strictObject({
    apiVersion: z.literal('v9').describe('version'),
    things: z
      .array(
        z.strictObject({
          size: z.number().int().min(1).max(8).default(4).describe('how big'),
          wait: durationSchema().default(1500).describe('how long'),
          mode: z.enum(['fast', 'slow']).optional().describe('how'),
          kind: z.union([z.strictObject({ a: z.string().describe('an a') }), z.strictObject({ b: z.boolean() })]),
        }),
      )
      .describe('the things'),
  });

  it('writes path, type with bounds, default and description per field', () => {
    const text = renderReference(pipelineReference(schema));
    expect(text).toContain('| `apiVersion` | `v9` | required | version |');
    expect(text).toContain('#### `things[]`');
    expect(text).toContain('| `size` | integer 1–8 | `4` | how big |');
    expect(text).toContain('| `wait` | duration | `1500ms` | how long |');
    expect(text).toContain('| `mode` | `fast` \\| `slow` | — | how |');
    expect(text).toContain('| `kind` | exactly one of `a`, `b` | required |  |');
    expect(text).toContain('| `kind.a` | string | required | an a |');
  });

  it('reports fields without a description', () => {
    expect(undocumentedFields(pipelineReference(schema))).toEqual(['things[]: kind', 'things[]: kind.b']);
  });

  it('refuses a README without the generated region', () => {
    expect(() => withReference('# no markers here')).toThrow(/generated reference region/);
    const fresh = withReference(`a\n${REFERENCE_BEGIN}\nstale\n${REFERENCE_END}\nb`, 'NEW');
    expect(fresh).toBe(`a\n${REFERENCE_BEGIN}\n\nNEW\n${REFERENCE_END}\nb`);
  });
});
