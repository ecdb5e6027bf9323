// Trains the chat-sentiment head (`npm run models:build-chat -- --train`): MiniLM-q embeddings of
// the UCI training split plus livepipe's chat training lines, a logistic regression
// (models/linear-head.ts), then the composed graph checked against the TypeScript path on the
// held-out split, and the old MLP, AFINN and the new model measured on the held-out split and on the
// chat evaluation set. Writes models/chat-sentiment-head.json and models/chat-sentiment.yaml.
import { readFile, writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { ModelRunner } from '../src/inference/model-runner.js';
import { loadModelManifest } from '../src/inference/model-registry.js';
import {
  BUILD_CHAT_COMMAND,
  ENGLISH,
  composeChatSentiment,
  describeFiles,
  loadEncoder,
  writeToCache,
} from './chat-sentiment-files.js';
import { ENGLISH_CHAT_EVAL } from './chat-eval-en.js';
import { afinnLabel, MLP_MANIFEST, runnerLabels, type Scored, scoreLabels } from './chat-sentiment-eval.js';
import { ENGLISH_CHAT_TRAIN } from './chat-train-en.js';
import { headProbabilities, type LogisticRegressionOptions, trainLogisticRegression } from './linear-head.js';
import { loadSentimentSentences, splitSentences } from './sentiment-data.js';

const LABELS: [string, string] = ['negative', 'positive'];
const OPTIONS: LogisticRegressionOptions = { steps: 400, learningRate: 0.05, weightDecay: 1e-4 };

const round = (value: number) => Math.round(value * 10_000) / 10_000;

async function embedOneByOne(runner: ModelRunner, texts: readonly string[]): Promise<Float32Array[]> {
  // Batch 1, as a live message is most often served: the int8 graph's activation scales depend on
  // the whole batch, so embeddings taken in other batches differ slightly.
  const vectors: Float32Array[] = [];
  for (const text of texts) vectors.push(...(await runner.embed([text])));
  return vectors;
}

export async function train(): Promise<void> {
  const started = performance.now();
  const encoderManifest = await loadEncoder();
  const encoder = await ModelRunner.open(encoderManifest);
  const mlpManifest = parse(await readFile(MLP_MANIFEST, 'utf8')) as {
    postprocess: Array<{ kind: string }>;
    training: { split: { seed: number; testFraction: number } };
  };
  // The MLP's split, so both models are measured on the same held-out sentences.
  const { seed, testFraction } = mlpManifest.training.split;
  const { train: trainSet, test: heldOut } = splitSentences(loadSentimentSentences(), seed, testFraction);
  const target = (label: string): 0 | 1 => (label === 'positive' ? 1 : 0);

  const trainTexts = [...trainSet.map((s) => s.text), ...ENGLISH_CHAT_TRAIN.map((line) => line.text)];
  const trainTargets = [...trainSet.map((s) => s.label), ...ENGLISH_CHAT_TRAIN.map((line) => target(line.label))];
  const trainVectors = await embedOneByOne(encoder, trainTexts);
  const heldOutVectors = await embedOneByOne(
    encoder,
    heldOut.map((s) => s.text),
  );
  const chatVectors = await embedOneByOne(
    encoder,
    ENGLISH_CHAT_EVAL.map((line) => line.text),
  );
  await encoder.close();

  const head = trainLogisticRegression(trainVectors, trainTargets, LABELS, OPTIONS);
  // The same method without the chat lines, measured so the README can say what they bought.
  const uciOnly = trainLogisticRegression(
    trainVectors.slice(0, trainSet.length),
    trainSet.map((s) => s.label),
    LABELS,
    OPTIONS,
  );
  await writeFile(ENGLISH.headPath, `${JSON.stringify(head)}\n`);

  const accuracyOf = (h: typeof head, vectors: Float32Array[], labels: readonly string[]) =>
    vectors.filter((v, i) => LABELS[(headProbabilities(h, v)[1] as number) >= 0.5 ? 1 : 0] === labels[i]).length /
    vectors.length;
  const heldOutLabels = heldOut.map((s) => LABELS[s.label] as string);
  const chatLabels = ENGLISH_CHAT_EVAL.map((line) => line.label);

  const files = await composeChatSentiment(encoderManifest, head);
  const pinned = describeFiles(files);
  await writeToCache('chat-sentiment', files);
  const moderation = mlpManifest.postprocess.find((entry) => entry.kind === 'lexicon-moderation');

  const writeManifest = async (metrics: Record<string, unknown>) => {
    const manifest = {
      apiVersion: 'livepipe/v1',
      kind: 'Model',
      name: 'chat-sentiment',
      version: '2.0.0',
      description:
        'Sentiment of an English chat comment (negative/positive): MiniLM-q sentence embeddings with a ' +
        'logistic regression head, composed into one ONNX graph, plus the lexicon moderation flag.',
      task: 'text-classification',
      build: { command: BUILD_CHAT_COMMAND, from: ['minilm-l6-v2.yaml'], files: pinned },
      fallback: 'chat-sentiment-mlp.yaml',
      file: 'model.onnx',
      tokenizer: 'tokenizer.json',
      maxLength: encoderManifest.maxLength,
      output: 'probabilities',
      labels: LABELS,
      postprocess: [{ kind: 'softmax-label', output: 'probabilities', from: 'probabilities' }, moderation],
      training: {
        encoder: 'minilm-l6-v2.yaml (all-MiniLM-L6-v2, int8), mean pooling, L2-normalised, embedded one text per batch',
        dataset: {
          uci: 'UCI Sentiment Labelled Sentences, the training split below (the held-out split is never trained on)',
          chat: `${ENGLISH_CHAT_TRAIN.length} chat lines written for livepipe (models/chat-train-en.ts), disjoint from the evaluation lines`,
        },
        split: mlpManifest.training.split,
        head: 'logistic regression as a 2-column softmax (columns -w/2, +w/2), zero init, full-batch Adam',
        optimizer: OPTIONS,
        graph:
          'models/classifier-graph.ts: encoder nodes + Cast, Unsqueeze, Mul, ReduceSum, Max, Div, Sqrt, MatMul, Add, Softmax (opset 11)',
        headFile: 'models/chat-sentiment-head.json',
        script: `models/train-chat-sentiment.ts (${BUILD_CHAT_COMMAND} -- --train)`,
      },
      metrics,
      license: {
        model: 'Apache-2.0 (head: livepipe; encoder: sentence-transformers/all-MiniLM-L6-v2)',
        data: 'UCI sentences: CC BY 4.0; chat lines: Apache-2.0 (livepipe)',
        lexicon: 'AFINN-165: ODbL 1.0 (Finn Årup Nielsen), via the sentiment package (MIT)',
      },
      attribution:
        'all-MiniLM-L6-v2 by sentence-transformers (Reimers & Gurevych 2019); int8 ONNX export by Xenova. ' +
        "Kotzias, Denil, de Freitas, Smyth: 'From Group to Individual Labels using Deep Features', KDD 2015 (UCI data).",
    };
    const header =
      `# Generated by models/train-chat-sentiment.ts (${BUILD_CHAT_COMMAND} -- --train); edit the script, not this file.\n` +
      `# The graph is built into the model cache by \`${BUILD_CHAT_COMMAND}\` (not in git); when it is absent,\n` +
      '# the MLP in chat-sentiment-mlp.yaml is loaded instead. Field reference: models/README.md\n';
    await writeFile(ENGLISH.manifestPath, header + stringify(manifest, { lineWidth: 0 }));
  };
  await writeManifest({});

  // The composed graph against embedding → head in TypeScript, one text per batch.
  const composed = await ModelRunner.open(await loadModelManifest(ENGLISH.manifestPath));
  let maxDifference = 0;
  for (let i = 0; i < heldOut.length; i++) {
    const { results } = await composed.run([heldOut[i]?.text as string]);
    const expected = headProbabilities(head, heldOutVectors[i] as Float32Array);
    for (const [column, label] of LABELS.entries()) {
      const actual = results[0]?.scores[label] as number;
      maxDifference = Math.max(maxDifference, Math.abs(actual - (expected[column] as number)));
    }
  }
  if (!(maxDifference <= 1e-4)) throw new Error(`composed graph differs from the TypeScript path by ${maxDifference}`);

  const mlp = await ModelRunner.open(await loadModelManifest(MLP_MANIFEST));
  const measure = async (texts: string[], labels: string[]) => {
    const ofModel = scoreLabels(await runnerLabels(composed, texts), labels);
    const ofMlp = scoreLabels(await runnerLabels(mlp, texts), labels);
    const ofAfinn = scoreLabels(texts.map(afinnLabel), labels);
    const pack = (s: Scored) => ({ accuracy: round(s.accuracy), correct: s.correct, n: s.n });
    return { model: pack(ofModel), mlp: pack(ofMlp), afinn: pack(ofAfinn) };
  };
  const onHeldOut = await measure(
    heldOut.map((s) => s.text),
    heldOutLabels,
  );
  const onChat = await measure(
    ENGLISH_CHAT_EVAL.map((line) => line.text),
    chatLabels,
  );
  const hard = ENGLISH_CHAT_EVAL.filter((line) => line.hard);
  const onHard = await measure(
    hard.map((line) => line.text),
    hard.map((line) => line.label),
  );
  await composed.close();
  await mlp.close();

  const metrics = {
    heldOutAccuracy: onHeldOut.model.accuracy,
    heldOutSize: heldOut.length,
    chatEvalAccuracy: onChat.model.accuracy,
    chatEvalSize: ENGLISH_CHAT_EVAL.length,
    comparison: { heldOut: onHeldOut, chatEval: onChat, chatEvalHardOnly: onHard },
    comparisonNote:
      'model: this graph (argmax); mlp: chat-sentiment-mlp.yaml; afinn: the sentiment package, score >= 0 reads positive. ' +
      'chatEval: models/chat-eval-en.ts, written for livepipe and never trained on; hard: sarcasm, slang, emotes',
    uciOnlyHead: {
      heldOutAccuracy: round(accuracyOf(uciOnly, heldOutVectors, heldOutLabels)),
      chatEvalAccuracy: round(accuracyOf(uciOnly, chatVectors, chatLabels)),
      note: 'the same head trained without the chat lines (TypeScript path), not shipped',
    },
    onnxVsTypescriptMaxDifference: maxDifference,
  };
  await writeManifest(metrics);
  console.log(
    `chat-sentiment: held-out ${onHeldOut.model.accuracy} (mlp ${onHeldOut.mlp.accuracy}, afinn ${onHeldOut.afinn.accuracy}), ` +
      `chat ${onChat.model.accuracy} (mlp ${onChat.mlp.accuracy}, afinn ${onChat.afinn.accuracy}), ` +
      `uci-only head: ${JSON.stringify(metrics.uciOnlyHead)}, onnx vs ts ${maxDifference.toExponential(2)}, ` +
      `sha256 ${pinned[0]?.sha256}, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
