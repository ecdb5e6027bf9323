// Shared by the tests of the fetched pretrained models: are they in the cache (fetched by
// `npm run models:fetch`)? In CI a missing model is a failure (the suite must not pass by
// skipping); elsewhere the suite skips and says which command fetches it.
import { fileURLToPath } from 'node:url';
import { isLivepipeError } from '../../src/errors.js';
import type { ModelManifest } from '../../src/inference/model-manifest.js';
import { loadModelManifest } from '../../src/inference/model-registry.js';

export const FETCH_MODELS = 'npm run models:fetch';
export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

export function manifestPathOf(name: string): string {
  return `${MODELS_DIR}${name}.yaml`;
}

/** The loaded manifests, or undefined (after a warning) when a model is not fetched outside CI. */
export async function fetchedModels(suite: string, names: readonly string[]): Promise<ModelManifest[] | undefined> {
  const manifests: ModelManifest[] = [];
  for (const name of names) {
    try {
      manifests.push(await loadModelManifest(manifestPathOf(name)));
    } catch (error) {
      if (!isLivepipeError(error) || error.code !== 'LP_MODEL_NOT_FOUND') throw error;
      // The message names the missing file and the command that fetches it (FETCH_MODELS).
      const why = error.message;
      if (process.env.CI === 'true') throw new Error(`${suite}: CI=true requires the pretrained models, but ${why}.`);
      console.warn(`${suite} skipped: ${why}.`);
      return undefined;
    }
  }
  return manifests;
}
