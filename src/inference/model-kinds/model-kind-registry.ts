// Model kinds by name. A manifest with a `featurizer` is a featurized classifier (the bundled MLP);
// otherwise its `task` picks a transformer kind. registerModelKind adds or replaces a kind.
import { featurizedClassifierKind } from './featurized-classifier.js';
import type { ModelKind } from './model-kind.js';
import { textEmbeddingKind } from './text-embedding.js';
import { transformerClassifierKind } from './transformer-classifier.js';

const modelKinds = new Map<string, ModelKind>([
  ['featurized-classifier', featurizedClassifierKind as ModelKind],
  ['transformer-classifier', transformerClassifierKind as ModelKind],
  ['transformer-embedding', textEmbeddingKind as ModelKind],
]);

const kindByTask = new Map<string, string>([
  ['text-classification', 'transformer-classifier'],
  ['text-embedding', 'transformer-embedding'],
]);

export function modelTaskNames(): string[] {
  return [...kindByTask.keys()];
}

/** The kind that reads this manifest document, or undefined when its `task` is unknown. */
export function modelKindNameOf(document: unknown): string | undefined {
  const fields = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  if (fields.featurizer !== undefined) return 'featurized-classifier';
  return typeof fields.task === 'string' ? kindByTask.get(fields.task) : undefined;
}

export function modelKind(name: string): ModelKind | undefined {
  return modelKinds.get(name);
}

export function registerModelKind<Spec>(name: string, kind: ModelKind<Spec>, task?: string): void {
  modelKinds.set(name, kind as ModelKind);
  if (task !== undefined) kindByTask.set(task, name);
}

export function modelKindNames(): string[] {
  return [...modelKinds.keys()];
}
