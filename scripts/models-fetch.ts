// `npm run models:fetch [-- manifest.yaml ...]`: fetches the pretrained models that manifests name
// in a `source` section (default: every manifest in models/) into the model cache, verifying each
// file's pinned sha256. Exit 1 with the reason when any model cannot be fetched.
import { fileURLToPath } from 'node:url';
import { isLivepipeError, messageOf } from '../src/errors.js';
import { streamProgress } from '../src/inference/fetch/fetch-progress.js';
import { fetchModel } from '../src/inference/fetch/model-fetcher.js';
import { modelsCacheDir } from '../src/inference/fetch/model-source.js';
import { modelManifestPaths, readModelSource } from '../src/inference/model-registry.js';

const MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

async function main(paths: string[]): Promise<number> {
  const manifests = paths.length > 0 ? paths : await modelManifestPaths(MODELS_DIR);
  const progress = streamProgress(process.stderr);
  const cache = modelsCacheDir();
  let failed = 0;
  let fetched = 0;
  for (const path of manifests) {
    try {
      const entry = await readModelSource(path);
      if (entry.source === undefined) {
        if (paths.length > 0) progress.step(`${entry.name}: ${path} has no source section; nothing to fetch`);
        continue;
      }
      await fetchModel(entry.name, entry.source, { progress, manifestPath: entry.manifestPath, modelsDir: cache });
      fetched++;
    } catch (error) {
      failed++;
      // A LivepipeError says what to do; anything else is a bug and keeps its stack.
      process.stderr.write(
        `models:fetch: ${isLivepipeError(error) ? error.message : ((error as Error).stack ?? messageOf(error))}\n`,
      );
    }
  }
  if (failed > 0) {
    process.stderr.write(
      `models:fetch: ${failed} model(s) not fetched; fix the cause above and run \`npm run models:fetch\` again\n`,
    );
    return 1;
  }
  progress.step(`models:fetch: ${fetched} model(s) ready in ${cache}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
