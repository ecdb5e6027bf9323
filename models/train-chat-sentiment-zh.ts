// Makes the Chinese chat-sentiment head (`npm run models:build-chat -- --train`): no training data
// with a licence to cite was at hand, so the head is two prototypes — the normalised mean
// bge-small-zh embedding of the positive and of the negative phrases in models/chat-zh.ts — and a
// text is labelled by its cosine to each (scaled by a fixed factor, then softmax). Measured on the
// separate Chinese evaluation lines; checked against the TypeScript path. Writes
// models/chat-sentiment-zh-head.json and models/chat-sentiment-zh.yaml.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { ModelRunner } from '../src/inference/model-runner.js';
import { loadModelManifest } from '../src/inference/model-registry.js';
import { runnerLabels, scoreLabels } from './chat-sentiment-eval.js';
import {
  BUILD_CHAT_COMMAND,
  CHINESE,
  composeChatSentiment,
  describeFiles,
  loadEncoder,
  writeToCache,
} from './chat-sentiment-files.js';
import type { LinearHead } from './classifier-graph.js';
import { CHINESE_CHAT_EVAL, CHINESE_PROTOTYPE_PHRASES } from './chat-zh.js';
import { CHINESE_CHAT_LINES } from './chinese-chat-lines.js';
import { headProbabilities } from './linear-head.js';

const LABELS = ['negative', 'positive'];
/**
 * Cosines between bge embeddings of short chat lines sit close together, so they are multiplied
 * before the softmax to give usable scores. Fixed before measuring; it changes no label (argmax).
 */
const COSINE_SCALE = 20;

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** The normalised mean of unit vectors: the direction a class's phrases share. */
function prototype(vectors: readonly Float32Array[]): Float64Array {
  const sum = new Float64Array((vectors[0] as Float32Array).length);
  for (const vector of vectors)
    for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] as number) + (vector[k] as number);
  const norm = Math.hypot(...sum);
  return sum.map((value) => value / norm);
}

export async function trainChinese(): Promise<void> {
  const started = performance.now();
  const encoderManifest = await loadEncoder(CHINESE);
  const encoder = await ModelRunner.open(encoderManifest);
  const embedOne = async (text: string) => (await encoder.embed([text]))[0] as Float32Array;
  const byLabel = async (label: string) => {
    const vectors: Float32Array[] = [];
    for (const line of CHINESE_PROTOTYPE_PHRASES) if (line.label === label) vectors.push(await embedOne(line.text));
    return prototype(vectors);
  };
  const negative = await byLabel('negative');
  const positive = await byLabel('positive');
  const head: LinearHead = {
    labels: LABELS,
    weights: Array.from(negative, (value, k) => [
      Math.fround(COSINE_SCALE * value),
      Math.fround(COSINE_SCALE * (positive[k] as number)),
    ]),
    bias: [0, 0],
  };
  await writeFile(CHINESE.headPath, `${JSON.stringify(head)}\n`);

  const files = await composeChatSentiment(encoderManifest, head, CHINESE);
  const pinned = describeFiles(files);
  await writeToCache(CHINESE.name, files);

  const writeManifest = async (metrics: Record<string, unknown>) => {
    const manifest = {
      apiVersion: 'livepipe/v1',
      kind: 'Model',
      name: CHINESE.name,
      version: '1.0.0',
      description:
        'Sentiment of a Chinese chat comment (negative/positive): bge-small-zh CLS embeddings labelled by cosine ' +
        'to two prototypes (mean embeddings of labelled phrases), composed into one ONNX graph.',
      task: 'text-classification',
      build: { command: BUILD_CHAT_COMMAND, from: [CHINESE.encoderManifest], files: pinned },
      fallback: 'chat-sentiment-mlp.yaml',
      file: 'model.onnx',
      tokenizer: 'tokenizer.json',
      // Chat lines are short; bge's own limit is 512.
      maxLength: 128,
      output: 'probabilities',
      labels: LABELS,
      postprocess: [{ kind: 'softmax-label', output: 'probabilities', from: 'probabilities' }],
      training: {
        encoder: `${CHINESE.encoderManifest} (bge-small-zh-v1.5, int8), CLS pooling, L2-normalised, one text per batch`,
        method:
          'prototypes: the normalised mean embedding of the positive and of the negative phrases; ' +
          `probabilities = softmax(${COSINE_SCALE} * cosine to each prototype); nothing is fitted`,
        phrases: `${CHINESE_PROTOTYPE_PHRASES.length} phrases written for livepipe (models/chat-zh.ts CHINESE_PROTOTYPE_PHRASES)`,
        cosineScale: COSINE_SCALE,
        graph:
          'models/classifier-graph.ts: encoder nodes + Gather (CLS), Mul, ReduceSum, Sqrt, Max, Div, MatMul, Add, Softmax (opset 11)',
        headFile: 'models/chat-sentiment-zh-head.json',
        script: `models/train-chat-sentiment-zh.ts (${BUILD_CHAT_COMMAND} -- --train)`,
      },
      metrics,
      license: {
        model: 'MIT (encoder: BAAI/bge-small-zh-v1.5); head: Apache-2.0 (livepipe)',
        data: 'phrases and evaluation lines: Apache-2.0 (livepipe)',
      },
      attribution: 'bge-small-zh-v1.5 by BAAI, FlagEmbedding (Xiao et al., C-Pack, 2023); int8 ONNX export by Xenova.',
    };
    const header =
      `# Generated by models/train-chat-sentiment-zh.ts (${BUILD_CHAT_COMMAND} -- --train); edit the script, not this file.\n` +
      `# The graph is built into the model cache by \`${BUILD_CHAT_COMMAND}\` (not in git). Its fallback, the bundled\n` +
      '# English MLP, only keeps a demo without the built model running: on Chinese text its labels are near chance,\n' +
      '# and the status line names it. Field reference: models/README.md\n';
    await writeFile(CHINESE.manifestPath, header + stringify(manifest, { lineWidth: 0 }));
  };
  await writeManifest({});

  const composed = await ModelRunner.open(await loadModelManifest(CHINESE.manifestPath));
  let maxDifference = 0;
  const checked = [...CHINESE_CHAT_EVAL.map((line) => line.text), ...CHINESE_CHAT_LINES];
  for (const text of checked) {
    const expected = headProbabilities(head, await embedOne(text));
    const { results } = await composed.run([text]);
    for (const [column, label] of LABELS.entries()) {
      maxDifference = Math.max(
        maxDifference,
        Math.abs((results[0]?.scores[label] as number) - (expected[column] as number)),
      );
    }
  }
  if (!(maxDifference <= 1e-4)) throw new Error(`composed graph differs from the TypeScript path by ${maxDifference}`);

  const measure = async (lines: typeof CHINESE_CHAT_EVAL) => {
    const scored = scoreLabels(
      await runnerLabels(
        composed,
        lines.map((line) => line.text),
      ),
      lines.map((line) => line.label),
    );
    return { accuracy: round(scored.accuracy), correct: scored.correct, n: scored.n };
  };
  const chatEval = await measure(CHINESE_CHAT_EVAL);
  const hard = await measure(CHINESE_CHAT_EVAL.filter((line) => line.hard));
  const prototypes = await measure(CHINESE_PROTOTYPE_PHRASES);
  await composed.close();
  await encoder.close();

  await writeManifest({
    chatEvalAccuracy: chatEval.accuracy,
    chatEvalSize: chatEval.n,
    chatEval,
    chatEvalHardOnly: hard,
    prototypePhrasesAccuracy: prototypes,
    note:
      'chatEval: models/chat-zh.ts CHINESE_CHAT_EVAL, written for livepipe, never used as prototypes; hard: slang, ' +
      'sarcasm, internet idiom. prototypePhrasesAccuracy is on the phrases the prototypes were made from (not held out). ' +
      'No baseline: the MLP and AFINN are English-only, so chance (0.5 on this balanced set) is the comparison',
    onnxVsTypescriptMaxDifference: maxDifference,
    onnxVsTypescriptTexts: checked.length,
  });
  console.log(
    `chat-sentiment-zh: chat ${chatEval.accuracy} (${chatEval.correct}/${chatEval.n}), hard ${hard.accuracy}, ` +
      `prototype phrases ${prototypes.accuracy}, onnx vs ts ${maxDifference.toExponential(2)}, ` +
      `sha256 ${pinned[0]?.sha256}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
