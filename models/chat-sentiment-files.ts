// The files of the English chat-sentiment model and how they are made: the fetched MiniLM-q encoder
// with mean pooling, L2 normalisation and the committed linear head (models/chat-sentiment-head.json)
// appended as one ONNX graph (models/classifier-graph.ts), plus MiniLM's tokenizer.json beside it.
// Shared by the build (build-chat-sentiment.ts), the training script and the tests.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelCacheDir } from '../src/inference/fetch/model-source.js';
import type { TransformerModelManifest } from '../src/inference/model-manifest.js';
import { loadModelManifest } from '../src/inference/model-registry.js';
import { composeClassifierGraph, type LinearHead } from './classifier-graph.js';

const here = dirname(fileURLToPath(import.meta.url));
export const CHAT_SENTIMENT_MANIFEST = join(here, 'chat-sentiment.yaml');
export const CHAT_SENTIMENT_HEAD = join(here, 'chat-sentiment-head.json');
export const ENCODER_MANIFEST = join(here, 'minilm-l6-v2.yaml');
export const BUILD_CHAT_COMMAND = 'npm run models:build-chat';

export const GRAPH_NAME = 'chat-sentiment';
export const GRAPH_DOC =
  'Chat sentiment: all-MiniLM-L6-v2 (int8, Apache-2.0) + mean pooling + L2 normalisation + a logistic ' +
  'regression head trained by livepipe on UCI Sentiment Labelled Sentences (CC BY 4.0) and livepipe chat lines.';

export interface BuiltFile {
  file: string;
  sha256: string;
  size: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The encoder manifest, loaded (so a missing encoder fails with the fetch command). */
export async function loadEncoder(): Promise<TransformerModelManifest> {
  return (await loadModelManifest(ENCODER_MANIFEST)) as TransformerModelManifest;
}

export async function readHead(path = CHAT_SENTIMENT_HEAD): Promise<LinearHead> {
  return JSON.parse(await readFile(path, 'utf8')) as LinearHead;
}

/** The composed graph and the tokenizer, as the cache will hold them. */
export async function composeChatSentiment(
  encoder: TransformerModelManifest,
  head: LinearHead,
): Promise<{ model: Uint8Array; tokenizer: Uint8Array }> {
  const model = composeClassifierGraph(await readFile(encoder.modelPath), {
    pooling: 'mean',
    head,
    graphName: GRAPH_NAME,
    docString: GRAPH_DOC,
  });
  return { model, tokenizer: await readFile(encoder.tokenizerPath) };
}

export function describeFiles(files: { model: Uint8Array; tokenizer: Uint8Array }): BuiltFile[] {
  return [
    { file: 'model.onnx', sha256: sha256Hex(files.model), size: files.model.byteLength },
    { file: 'tokenizer.json', sha256: sha256Hex(files.tokenizer), size: files.tokenizer.byteLength },
  ];
}

/** Each file to a temporary name beside its target, then renamed: complete and pinned, or absent. */
export async function writeToCache(
  name: string,
  files: { model: Uint8Array; tokenizer: Uint8Array },
  modelsDir?: string,
): Promise<string> {
  const dir = modelCacheDir(name, modelsDir);
  await mkdir(dir, { recursive: true });
  for (const [file, bytes] of [
    ['model.onnx', files.model],
    ['tokenizer.json', files.tokenizer],
  ] as const) {
    const temporary = join(dir, `${file}.${process.pid}.partial`);
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, join(dir, file));
    } finally {
      await rm(temporary, { force: true });
    }
  }
  return dir;
}
