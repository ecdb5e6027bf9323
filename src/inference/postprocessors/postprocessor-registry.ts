// Postprocessors by `kind`, each with the zod schema of its manifest entry. User kinds can be
// added with registerPostprocessor before a manifest that names them is loaded.
import type { z } from 'zod';
import { createLexiconModeration, lexiconModerationSpecSchema } from './lexicon-moderation.js';
import type { Postprocessor, PostprocessorModel } from './postprocessor.js';
import { createSoftmaxLabel, softmaxLabelSpecSchema } from './softmax-label.js';

export interface PostprocessorKind<Spec extends { kind: string } = { kind: string }> {
  schema: z.ZodType<Spec>;
  create(spec: Spec, model: PostprocessorModel): Postprocessor;
  /** Sets label, score and scores; a manifest needs exactly one such postprocessor. */
  producesLabel: boolean;
}

const postprocessorKinds = new Map<string, PostprocessorKind>([
  [
    'softmax-label',
    { schema: softmaxLabelSpecSchema, create: createSoftmaxLabel, producesLabel: true } as PostprocessorKind,
  ],
  [
    'lexicon-moderation',
    { schema: lexiconModerationSpecSchema, create: createLexiconModeration, producesLabel: false } as PostprocessorKind,
  ],
]);

export function registerPostprocessor<Spec extends { kind: string }>(
  kind: string,
  entry: PostprocessorKind<Spec>,
): void {
  postprocessorKinds.set(kind, entry as unknown as PostprocessorKind);
}

export function postprocessorKind(kind: string): PostprocessorKind | undefined {
  return postprocessorKinds.get(kind);
}

export function postprocessorKindNames(): string[] {
  return [...postprocessorKinds.keys()];
}
