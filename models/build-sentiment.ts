// Builds the bundled chat-sentiment model from shipped data: hashed bag-of-words features, a small
// MLP (dims → 64 → 2) trained in plain TypeScript with a fixed seed, written as ONNX with onnx-proto,
// checked against onnxruntime, and described by models/chat-sentiment-mlp.yaml (the fallback of
// models/chat-sentiment.yaml, the pretrained model). Same seed, same bytes.
// Run: npm run models:build
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import Sentiment from 'sentiment';
import { stringify } from 'yaml';
import { createHashedBowFeaturizer, hashedBowSpecSchema, tokenize } from '../src/inference/featurizers/hashed-bow.js';
import {
  createLexiconModeration,
  lexiconModerationSpecSchema,
} from '../src/inference/postprocessors/lexicon-moderation.js';
import { flagRate, measureOnGeneratedChat, moderationFlag } from './moderation-quality.js';
import {
  ADDRESSED_INSULT_WORDS,
  ADDRESSED_WITHIN,
  ADDRESSEES,
  INSULT_WORDS,
  PROJECT_LIST_SOURCE,
} from './moderation-terms.js';
import {
  createRandom,
  loadSentimentSentences,
  sentimentPackageDir,
  splitSentences,
  type LabelledSentence,
} from './sentiment-data.js';

const { onnx } = onnxProto;

export const SPLIT_SEED = 42;
export const TEST_FRACTION = 0.2;
const INIT_SEED = 7;
const HIDDEN = 64;
const EPOCHS = 12;
const BATCH = 32;
const LEARNING_RATE = 0.002;
const WEIGHT_DECAY = 1e-4;
const MODERATION_MAX_SCORE = -4;
/** The generated chat the moderation rule is measured on (the manifest records both). */
const MODERATION_EVAL_SEED = 1;
const MODERATION_EVAL_COMMENTS = 20_000;

const here = dirname(fileURLToPath(import.meta.url));
const onnxPath = join(here, 'chat-sentiment-mlp.onnx');
const manifestPath = join(here, 'chat-sentiment-mlp.yaml');

const featurizerSpec = hashedBowSpecSchema.parse({
  kind: 'hashed-bow',
  dims: 4096,
  ngrams: [1, 2],
  hash: 'fnv1a-32',
  signed: true,
  normalization: 'l2',
  lowercase: true,
});
const DIMS = featurizerSpec.dims;

interface SparseVector {
  index: Int32Array;
  value: Float64Array;
}

function featurizeAll(sentences: readonly LabelledSentence[]): { dense: Float32Array; sparse: SparseVector[] } {
  const featurizer = createHashedBowFeaturizer(featurizerSpec);
  const dense = new Float32Array(sentences.length * DIMS);
  const sparse: SparseVector[] = [];
  sentences.forEach((sentence, row) => {
    featurizer.featurize(sentence.text, dense, row * DIMS);
    const index: number[] = [];
    const value: number[] = [];
    for (let i = 0; i < DIMS; i++) {
      const v = dense[row * DIMS + i] as number;
      if (v !== 0) {
        index.push(i);
        value.push(v);
      }
    }
    sparse.push({ index: Int32Array.from(index), value: Float64Array.from(value) });
  });
  return { dense, sparse };
}

/** Row-major like ONNX MatMul's B: w1 is [DIMS, HIDDEN], w2 is [HIDDEN, 2]. */
interface Weights {
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function initWeights(): Weights {
  const random = createRandom(INIT_SEED);
  const w1 = new Float64Array(DIMS * HIDDEN);
  // He initialisation against the typical ~30 active inputs of an L2-normalised sentence.
  for (let i = 0; i < w1.length; i++) w1[i] = gaussian(random) * Math.sqrt(2 / 30) * 0.5;
  const w2 = new Float64Array(HIDDEN * 2);
  for (let i = 0; i < w2.length; i++) w2[i] = gaussian(random) * Math.sqrt(2 / HIDDEN) * 0.5;
  return { w1, b1: new Float64Array(HIDDEN), w2, b2: new Float64Array(2) };
}

/** Forward pass on one sparse input; fills hidden (post-ReLU) and returns softmax probabilities. */
function forward(weights: Weights, x: SparseVector, hidden: Float64Array): [number, number] {
  const { w1, b1, w2, b2 } = weights;
  hidden.set(b1);
  for (let n = 0; n < x.index.length; n++) {
    const row = (x.index[n] as number) * HIDDEN;
    const v = x.value[n] as number;
    for (let j = 0; j < HIDDEN; j++) hidden[j] = (hidden[j] as number) + v * (w1[row + j] as number);
  }
  let z0 = b2[0] as number;
  let z1 = b2[1] as number;
  for (let j = 0; j < HIDDEN; j++) {
    const h = Math.max(0, hidden[j] as number);
    hidden[j] = h;
    z0 += h * (w2[j * 2] as number);
    z1 += h * (w2[j * 2 + 1] as number);
  }
  const max = Math.max(z0, z1);
  const e0 = Math.exp(z0 - max);
  const e1 = Math.exp(z1 - max);
  return [e0 / (e0 + e1), e1 / (e0 + e1)];
}

function train(examples: SparseVector[], labels: number[]): Weights {
  const weights = initWeights();
  const params = [weights.w1, weights.b1, weights.w2, weights.b2];
  const grads = params.map((p) => new Float64Array(p.length));
  const moment1 = params.map((p) => new Float64Array(p.length));
  const moment2 = params.map((p) => new Float64Array(p.length));
  const [gw1, gb1, gw2, gb2] = grads as [Float64Array, Float64Array, Float64Array, Float64Array];
  const hidden = new Float64Array(HIDDEN);
  const dHidden = new Float64Array(HIDDEN);
  const order = examples.map((_, i) => i);
  const random = createRandom(INIT_SEED + 1);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;

  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (let start = 0; start < order.length; start += BATCH) {
      const batch = order.slice(start, start + BATCH);
      for (const g of grads) g.fill(0);
      for (const n of batch) {
        const x = examples[n] as SparseVector;
        const [p0, p1] = forward(weights, x, hidden);
        const y = labels[n] as number;
        const d0 = (p0 - (y === 0 ? 1 : 0)) / batch.length;
        const d1 = (p1 - (y === 1 ? 1 : 0)) / batch.length;
        gb2[0] = (gb2[0] as number) + d0;
        gb2[1] = (gb2[1] as number) + d1;
        for (let j = 0; j < HIDDEN; j++) {
          const h = hidden[j] as number;
          gw2[j * 2] = (gw2[j * 2] as number) + h * d0;
          gw2[j * 2 + 1] = (gw2[j * 2 + 1] as number) + h * d1;
          dHidden[j] = h > 0 ? d0 * (weights.w2[j * 2] as number) + d1 * (weights.w2[j * 2 + 1] as number) : 0;
          gb1[j] = (gb1[j] as number) + (dHidden[j] as number);
        }
        for (let k = 0; k < x.index.length; k++) {
          const row = (x.index[k] as number) * HIDDEN;
          const v = x.value[k] as number;
          for (let j = 0; j < HIDDEN; j++) gw1[row + j] = (gw1[row + j] as number) + v * (dHidden[j] as number);
        }
      }
      step++;
      const correction1 = 1 - beta1 ** step;
      const correction2 = 1 - beta2 ** step;
      params.forEach((param, p) => {
        const grad = grads[p] as Float64Array;
        const m = moment1[p] as Float64Array;
        const v = moment2[p] as Float64Array;
        const decay = p === 0 || p === 2 ? WEIGHT_DECAY : 0;
        for (let i = 0; i < param.length; i++) {
          const g = (grad[i] as number) + decay * (param[i] as number);
          m[i] = beta1 * (m[i] as number) + (1 - beta1) * g;
          v[i] = beta2 * (v[i] as number) + (1 - beta2) * g * g;
          param[i] =
            (param[i] as number) -
            (LEARNING_RATE * ((m[i] as number) / correction1)) / (Math.sqrt((v[i] as number) / correction2) + 1e-8);
        }
      });
    }
  }
  // The ONNX file stores float32; evaluate the rounded weights so TS and ONNX agree.
  return {
    w1: Float64Array.from(Float32Array.from(weights.w1)),
    b1: Float64Array.from(Float32Array.from(weights.b1)),
    w2: Float64Array.from(Float32Array.from(weights.w2)),
    b2: Float64Array.from(Float32Array.from(weights.b2)),
  };
}

function initializer(name: string, dims: number[], values: Float64Array): onnxProto.onnx.ITensorProto {
  const data = Float32Array.from(values);
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function tensorValue(name: string, dims: Array<number | string>): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** features [batch, DIMS] → MatMul → Add → Relu → MatMul → Add → Softmax → probabilities [batch, 2]. */
function encodeOnnx(weights: Weights): Uint8Array {
  const node = (opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []) => ({
    opType,
    input,
    output: [output],
    name: output,
    attribute,
  });
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'livepipe',
    producerVersion: 'models/build-sentiment.ts',
    modelVersion: 1,
    docString: 'Chat sentiment: hashed bag-of-words MLP trained on UCI Sentiment Labelled Sentences (CC BY 4.0).',
    graph: {
      name: 'chat-sentiment',
      node: [
        node('MatMul', ['features', 'w1'], 'hidden_linear'),
        node('Add', ['hidden_linear', 'b1'], 'hidden_biased'),
        node('Relu', ['hidden_biased'], 'hidden'),
        node('MatMul', ['hidden', 'w2'], 'logits_linear'),
        node('Add', ['logits_linear', 'b2'], 'logits'),
        node('Softmax', ['logits'], 'probabilities', [
          { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 },
        ]),
      ],
      initializer: [
        initializer('w1', [DIMS, HIDDEN], weights.w1),
        initializer('b1', [HIDDEN], weights.b1),
        initializer('w2', [HIDDEN, 2], weights.w2),
        initializer('b2', [2], weights.b2),
      ],
      input: [tensorValue('features', ['batch', DIMS])],
      output: [tensorValue('probabilities', ['batch', 2])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** AFINN-165 via the sentiment package; by default the package's own rule (benchmark/validate.js): a zero score reads positive. */
function afinnAccuracy(sentences: readonly LabelledSentence[], zeroReads: 0 | 1 = 1): number {
  const analyzer = new Sentiment();
  let correct = 0;
  for (const sentence of sentences) {
    const score = analyzer.analyze(sentence.text).score;
    const predicted = score > 0 ? 1 : score < 0 ? 0 : zeroReads;
    if (predicted === sentence.label) correct++;
  }
  return correct / sentences.length;
}

function moderationWords(): { words: string[]; skipped: string[] } {
  const labels = JSON.parse(
    readFileSync(join(sentimentPackageDir(), 'languages', 'en', 'labels.json'), 'utf8'),
  ) as Record<string, number>;
  const words = new Set<string>();
  const skipped: string[] = [];
  for (const [entry, score] of Object.entries(labels)) {
    if (score > MODERATION_MAX_SCORE) continue;
    const tokens = tokenize(entry);
    // Multi-token entries ("son-of-a-bitch") are skipped; their abusive part is listed on its own.
    if (tokens.length === 1) words.add(tokens[0] as string);
    else skipped.push(entry);
  }
  return { words: [...words].sort(), skipped: skipped.sort() };
}

/**
 * The lexicon-moderation entry: AFINN-165 words scored <= MODERATION_MAX_SCORE anywhere, plus the
 * project's insult lists (models/moderation-terms.ts), each group with its source. Validated here
 * with the serving schema so a bad list fails the build, not a pipeline start.
 */
function moderationSpec(afinnVersion: string) {
  const afinn = moderationWords();
  const afinnWords = new Set(afinn.words);
  const projectWords = (words: readonly string[]) => [...new Set(words)].filter((word) => !afinnWords.has(word)).sort();
  const afinnSource = `AFINN-165 (sentiment@${afinnVersion} languages/en/labels.json)`;
  return lexiconModerationSpecSchema.parse({
    kind: 'lexicon-moderation',
    lexicon: `${afinnSource} + ${PROJECT_LIST_SOURCE}`,
    rule:
      `flag when a token is an AFINN word scored <= ${MODERATION_MAX_SCORE} or a project-listed insult anywhere, ` +
      `or a project-listed insult that needs an addressee within ${ADDRESSED_WITHIN} tokens of a second-person token (addressees)`,
    loaded: 'build-time',
    minMatches: 1,
    groups: [
      {
        source: afinnSource,
        rule: `AFINN score <= ${MODERATION_MAX_SCORE}, anywhere; multi-token entries skipped: ${afinn.skipped.join(', ') || 'none'}`,
        words: afinn.words,
      },
      {
        source: PROJECT_LIST_SOURCE,
        rule: 'words whose everyday meaning is an insult aimed at a person, anywhere (AFINN <= -4 words not repeated)',
        words: projectWords(INSULT_WORDS),
      },
      {
        source: PROJECT_LIST_SOURCE,
        rule: `insults that are ordinary criticism of a thing unless addressed: only within ${ADDRESSED_WITHIN} tokens of an addressee`,
        words: projectWords(ADDRESSED_INSULT_WORDS),
        addressedWithin: ADDRESSED_WITHIN,
      },
    ],
    addressees: [...ADDRESSEES],
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  const sentences = loadSentimentSentences();
  const { train: trainSet, test: testSet } = splitSentences(sentences, SPLIT_SEED, TEST_FRACTION);
  const trainFeatures = featurizeAll(trainSet);
  const testFeatures = featurizeAll(testSet);
  const weights = train(
    trainFeatures.sparse,
    trainSet.map((s) => s.label),
  );

  const bytes = encodeOnnx(weights);
  writeFileSync(onnxPath, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  // Check the written file against the TypeScript forward pass, then measure accuracy with onnxruntime.
  const session = await ort.InferenceSession.create(onnxPath);
  const result = await session.run({ features: new ort.Tensor('float32', testFeatures.dense, [testSet.length, DIMS]) });
  const probabilities = result.probabilities!.data as Float32Array;
  await session.release();
  const hidden = new Float64Array(HIDDEN);
  let maxDifference = 0;
  let correct = 0;
  testSet.forEach((sentence, row) => {
    const [p0, p1] = forward(weights, testFeatures.sparse[row] as SparseVector, hidden);
    const o0 = probabilities[row * 2] as number;
    const o1 = probabilities[row * 2 + 1] as number;
    maxDifference = Math.max(maxDifference, Math.abs(o0 - p0), Math.abs(o1 - p1));
    if ((o1 > o0 ? 1 : 0) === sentence.label) correct++;
  });
  if (maxDifference > 1e-5) {
    throw new Error(`ONNX output differs from the TypeScript forward pass by ${maxDifference} (> 1e-5)`);
  }
  const heldOutAccuracy = correct / testSet.length;
  const baseline = afinnAccuracy(testSet);
  // Reported, not used: reading a zero score as negative is a stronger lexicon rule on this data.
  const baselineZeroNegative = afinnAccuracy(testSet, 0);
  const sentimentVersion = (createRequire(import.meta.url)('sentiment/package.json') as { version: string }).version;
  const round = (value: number) => Math.round(value * 10_000) / 10_000;

  // Moderation measured with the serving postprocessor, beside the AFINN-only rule it replaced.
  const moderation = moderationSpec(sentimentVersion);
  const postprocessorModel = { labels: ['negative', 'positive'], outputs: [], file: manifestPath };
  const flags = moderationFlag(createLexiconModeration(moderation, postprocessorModel));
  const afinnOnlyFlags = moderationFlag(
    createLexiconModeration(
      lexiconModerationSpecSchema.parse({
        ...moderation,
        groups: moderation.groups?.slice(0, 1),
        addressees: undefined,
      }),
      postprocessorModel,
    ),
  );
  const onChat = measureOnGeneratedChat(flags, MODERATION_EVAL_SEED, MODERATION_EVAL_COMMENTS);
  const afinnOnlyOnChat = measureOnGeneratedChat(afinnOnlyFlags, MODERATION_EVAL_SEED, MODERATION_EVAL_COMMENTS);
  const reviewTexts = sentences.map((sentence) => sentence.text);
  const onReviews = flagRate(flags, reviewTexts);
  const afinnOnlyOnReviews = flagRate(afinnOnlyFlags, reviewTexts);
  const roundChat = (m: typeof onChat) => ({
    ...m,
    precision: round(m.precision),
    recall: round(m.recall),
    fpr: round(m.fpr),
  });

  const manifest = {
    apiVersion: 'livepipe/v1',
    kind: 'Model',
    name: 'chat-sentiment-mlp',
    version: '1.0.0',
    description:
      'Sentiment of a chat comment (negative/positive) plus a lexicon moderation flag. The fallback of ' +
      'chat-sentiment.yaml when its pretrained encoder is not fetched and built.',
    file: 'chat-sentiment-mlp.onnx',
    sha256,
    task: 'text-classification',
    inputs: [{ name: 'features', dtype: 'float32', shape: ['batch', DIMS] }],
    outputs: [{ name: 'probabilities', dtype: 'float32', shape: ['batch', 2] }],
    featurizer: featurizerSpec,
    labels: ['negative', 'positive'],
    postprocess: [{ kind: 'softmax-label', output: 'probabilities', from: 'probabilities' }, moderation],
    training: {
      dataset:
        'UCI Sentiment Labelled Sentences (amazon, imdb, yelp; 3,000 sentences) from the sentiment npm package test fixtures',
      split: { seed: SPLIT_SEED, testFraction: TEST_FRACTION, stratifiedBy: 'source and label' },
      architecture: `MLP ${DIMS} -> ${HIDDEN} (ReLU) -> 2 (softmax)`,
      optimizer: { kind: 'adam', learningRate: LEARNING_RATE, weightDecay: WEIGHT_DECAY, batchSize: BATCH },
      epochs: EPOCHS,
      initSeed: INIT_SEED,
      script: 'models/build-sentiment.ts (npm run models:build)',
    },
    metrics: {
      heldOutAccuracy: round(heldOutAccuracy),
      heldOutSize: testSet.length,
      trainSize: trainSet.length,
      afinnBaselineAccuracy: round(baseline),
      afinnBaselineRule: 'sentiment package score >= 0 reads positive (its benchmark/validate.js rule)',
      afinnZeroAsNegativeAccuracy: round(baselineZeroNegative),
      onnxVsTypescriptMaxDifference: maxDifference,
      moderationOnGeneratedChat: roundChat(onChat),
      moderationAfinnOnlyOnGeneratedChat: roundChat(afinnOnlyOnChat),
      moderationGeneratedChatNote:
        'synthetic: comments from src/sources/generator/chat-corpus.ts (templates; its abusive flag is the label), ' +
        'not real chat; fpr is the flagged share of the non-abusive comments',
      moderationFlagRateOnReviews: round(onReviews.rate),
      moderationFlaggedReviews: onReviews.flagged,
      moderationAfinnOnlyFlagRateOnReviews: round(afinnOnlyOnReviews.rate),
      moderationReviewsNote: `all ${onReviews.n} UCI review sentences; none is chat abuse, so a flag there is a false positive of a sort (profanity or "torture" in a review)`,
    },
    license: {
      model: 'Apache-2.0 (livepipe)',
      data: 'CC BY 4.0',
      lexicon: 'AFINN-165: ODbL 1.0 (Finn Årup Nielsen), via the sentiment package (MIT)',
    },
    attribution:
      "Kotzias, Denil, de Freitas, Smyth: 'From Group to Individual Labels using Deep Features', KDD 2015. " +
      'UCI Machine Learning Repository, Sentiment Labelled Sentences (CC BY 4.0), as shipped by the sentiment npm package.',
  };
  const header =
    '# Generated by models/build-sentiment.ts (npm run models:build); edit the script, not this file.\n' +
    '# Field reference: models/README.md\n';
  writeFileSync(manifestPath, header + stringify(manifest, { lineWidth: 0 }));

  console.log(
    `chat-sentiment-mlp: held-out accuracy ${(heldOutAccuracy * 100).toFixed(2)}% on ${testSet.length} (AFINN ${(baseline * 100).toFixed(2)}%, zero-as-negative ${(baselineZeroNegative * 100).toFixed(2)}%), ` +
      `onnx vs ts max diff ${maxDifference.toExponential(2)}, sha256 ${sha256}, ${((performance.now() - started) / 1000).toFixed(1)} s\n` +
      `moderation on ${onChat.n} generated comments (seed ${onChat.seed}): precision ${onChat.precision.toFixed(4)}, recall ${onChat.recall.toFixed(4)}, fpr ${onChat.fpr.toFixed(4)} ` +
      `(AFINN only: ${afinnOnlyOnChat.precision.toFixed(4)}/${afinnOnlyOnChat.recall.toFixed(4)}/${afinnOnlyOnChat.fpr.toFixed(4)}); ` +
      `flagged ${onReviews.flagged}/${onReviews.n} review sentences (AFINN only: ${afinnOnlyOnReviews.flagged})`,
  );
}

await main();
