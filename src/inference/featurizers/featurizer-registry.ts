// Featurizers by `kind`: a manifest's `featurizer` section is validated against the schema of its
// kind and built by that kind's factory. Add a kind by registering it here or with registerFeaturizer.
import type { z } from 'zod';
import type { Featurizer } from './featurizer.js';
import { createHashedBowFeaturizer, hashedBowSpecSchema } from './hashed-bow.js';

export interface FeaturizerKind<Spec extends { kind: string } = { kind: string }> {
  schema: z.ZodType<Spec>;
  create(spec: Spec): Featurizer;
}

const featurizerKinds = new Map<string, FeaturizerKind>([
  ['hashed-bow', { schema: hashedBowSpecSchema, create: createHashedBowFeaturizer } as FeaturizerKind],
]);

export function registerFeaturizer<Spec extends { kind: string }>(kind: string, entry: FeaturizerKind<Spec>): void {
  featurizerKinds.set(kind, entry as unknown as FeaturizerKind);
}

export function featurizerKind(kind: string): FeaturizerKind | undefined {
  return featurizerKinds.get(kind);
}

export function featurizerKindNames(): string[] {
  return [...featurizerKinds.keys()];
}
