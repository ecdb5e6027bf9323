// A manifest's `postprocess` list, shared by every classification kind: each entry validated
// against its kind's schema and built once at load (so spec errors surface there, not in a
// worker), with exactly one entry that sets the label.
import type { z } from 'zod';
import { postprocessorKind, postprocessorKindNames } from '../postprocessors/postprocessor-registry.js';
import type { Postprocessor, PostprocessorModel } from '../postprocessors/postprocessor.js';
import type { ManifestContext } from './model-kind.js';

/** Validates the entries and returns a factory for fresh postprocessors (one set per worker). */
export function buildPostprocessors(
  entries: ReadonlyArray<{ kind: string }>,
  model: PostprocessorModel,
  context: Pick<ManifestContext, 'fail' | 'check'>,
  at: PropertyKey[] = ['postprocess'],
): () => Postprocessor[] {
  const { fail, check } = context;
  const built = entries.map((entry, index) => {
    const kind = postprocessorKind(entry.kind);
    if (kind === undefined) {
      return fail(
        [...at, index, 'kind'],
        `unknown postprocessor "${entry.kind}"; known kinds: ${postprocessorKindNames().join(', ')}`,
      );
    }
    const parsed = check(kind.schema as z.ZodType<{ kind: string }>, entry, [...at, index]);
    kind.create(parsed, model);
    return { kind, spec: parsed };
  });
  const labelHeads = built.filter((p) => p.kind.producesLabel).length;
  if (labelHeads !== 1) {
    fail(at, `expected exactly one label postprocessor (e.g. softmax-label), found ${labelHeads}`);
  }
  return () => built.map(({ kind, spec }) => kind.create(spec, model));
}
