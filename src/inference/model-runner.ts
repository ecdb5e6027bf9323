// One ONNX session with its featurizer and postprocessors: texts in, classification results out.
// A worker thread owns one; run() blocks its thread in native code, so never call it on the main loop.
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { LivepipeError } from '../errors.js';
import type { Featurizer } from './featurizers/featurizer.js';
import type { ModelManifest } from './model-manifest.js';
import type { BatchOutputs, ClassificationResult, Postprocessor } from './postprocessors/postprocessor.js';

export interface BatchRun {
  results: ClassificationResult[];
  /** Featurize + session run + postprocess, milliseconds. */
  inferMs: number;
}

export class ModelRunner {
  readonly manifest: ModelManifest;
  private readonly session: ort.InferenceSession;
  private readonly featurizer: Featurizer;
  private readonly postprocessors: Postprocessor[];
  private readonly inputName: string;
  private readonly outputNames: string[];
  private buffer: Float32Array;

  private constructor(manifest: ModelManifest, session: ort.InferenceSession) {
    this.manifest = manifest;
    this.session = session;
    this.featurizer = manifest.createFeaturizer();
    this.postprocessors = manifest.createPostprocessors();
    this.inputName = manifest.inputs[0]!.name;
    this.outputNames = manifest.outputs.map((o) => o.name);
    this.buffer = new Float32Array(this.featurizer.dims * 32);
  }

  /** Opens the manifest's ONNX file single-threaded (one session per worker thread scales better). */
  static async open(manifest: ModelManifest): Promise<ModelRunner> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(manifest.modelPath, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      throw new LivepipeError(
        'LP_MODEL_INVALID',
        `${manifest.modelPath} (named by ${manifest.manifestPath}) is not a loadable ONNX model: ${(error as Error).message.trim()}. ` +
          'Rebuild it with `npm run models:build`, or point "file" at a valid .onnx file.',
        { cause: error },
      );
    }
    const missing = [
      ...(session.inputNames.includes(manifest.inputs[0]!.name) ? [] : [`input "${manifest.inputs[0]!.name}"`]),
      ...manifest.outputs.filter((o) => !session.outputNames.includes(o.name)).map((o) => `output "${o.name}"`),
    ];
    if (missing.length > 0) {
      await session.release();
      throw new LivepipeError(
        'LP_MODEL_INVALID',
        `${manifest.manifestPath} declares ${missing.join(', ')}, which ${manifest.modelPath} lacks; ` +
          `the model has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
      );
    }
    return new ModelRunner(manifest, session);
  }

  async run(texts: readonly string[]): Promise<BatchRun> {
    const started = performance.now();
    const dims = this.featurizer.dims;
    const count = texts.length;
    if (this.buffer.length < count * dims) this.buffer = new Float32Array(count * dims);
    const features = this.buffer.subarray(0, count * dims);
    for (let i = 0; i < count; i++) this.featurizer.featurize(texts[i] as string, features, i * dims);

    const output = await this.session.run(
      { [this.inputName]: new ort.Tensor('float32', features, [count, dims]) },
      this.outputNames,
    );
    const outputs: Record<string, Float32Array> = {};
    for (const name of this.outputNames) outputs[name] = output[name]!.data as Float32Array;

    const results: ClassificationResult[] = new Array(count);
    for (let row = 0; row < count; row++) {
      const result: ClassificationResult = { label: '', score: 0, scores: {} };
      for (const postprocessor of this.postprocessors)
        postprocessor.apply(outputs as BatchOutputs, row, texts[row] as string, result);
      results[row] = result;
    }
    return { results, inferMs: performance.now() - started };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
