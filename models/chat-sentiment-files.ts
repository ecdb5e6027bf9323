// The files of the chat-sentiment models and how they are made: a fetched encoder (MiniLM-q for
// English, bge-small-zh for Chinese) with pooling, L2 normalisation and a committed linear head
// appended as one ONNX graph (models/classifier-graph.ts), plus the encoder's tokenizer.json.
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
export const BUILD_CHAT_COMMAND = 'npm run models:build-chat';

/** One chat-sentiment model: which encoder, how it pools, where its head and manifest are. */
export interface ChatSentimentModel {
  /** The model's name: its manifest is models/<name>.yaml, its cache folder <cache>/<name>/. */
  name: string;
  manifestPath: string;
  headPath: string;
  encoderManifest: string;
  pooling: 'mean' | 'cls';
  docString: string;
}

export const ENGLISH: ChatSentimentModel = {
  name: 'chat-sentiment',
  manifestPath: join(here, 'chat-sentiment.yaml'),
  headPath: join(here, 'chat-sentiment-head.json'),
  encoderManifest: 'minilm-l6-v2.yaml',
  pooling: 'mean',
  docString:
    'Chat sentiment: all-MiniLM-L6-v2 (int8, Apache-2.0) + mean pooling + L2 normalisation + a logistic ' +
    'regression head trained by livepipe on UCI Sentiment Labelled Sentences (CC BY 4.0) and livepipe chat lines.',
};

export const CHINESE: ChatSentimentModel = {
  name: 'chat-sentiment-zh',
  manifestPath: join(here, 'chat-sentiment-zh.yaml'),
  headPath: join(here, 'chat-sentiment-zh-head.json'),
  encoderManifest: 'bge-small-zh-v15.yaml',
  pooling: 'cls',
  docString:
    'Chinese chat sentiment: bge-small-zh-v1.5 (int8, MIT) + CLS pooling + L2 normalisation + cosine to two ' +
    'prototypes (mean embeddings of labelled chat phrases written for livepipe), scaled, softmax.',
};

export const CHAT_SENTIMENT_MODELS: readonly ChatSentimentModel[] = [ENGLISH, CHINESE];

export interface BuiltFile {
  file: string;
  sha256: string;
  size: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The encoder manifest, loaded (so a missing encoder fails with the fetch command). */
export async function loadEncoder(model: ChatSentimentModel = ENGLISH): Promise<TransformerModelManifest> {
  return (await loadModelManifest(join(here, model.encoderManifest))) as TransformerModelManifest;
}

export async function readHead(model: ChatSentimentModel = ENGLISH): Promise<LinearHead> {
  return JSON.parse(await readFile(model.headPath, 'utf8')) as LinearHead;
}

/** The composed graph and the tokenizer, as the cache will hold them. */
export async function composeChatSentiment(
  encoder: TransformerModelManifest,
  head: LinearHead,
  model: ChatSentimentModel = ENGLISH,
): Promise<{ model: Uint8Array; tokenizer: Uint8Array }> {
  const graph = composeClassifierGraph(await readFile(encoder.modelPath), {
    pooling: model.pooling,
    head,
    graphName: model.name,
    docString: model.docString,
  });
  return { model: graph, tokenizer: await readFile(encoder.tokenizerPath) };
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
