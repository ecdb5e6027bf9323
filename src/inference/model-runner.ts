// One ONNX session with what its manifest's kind builds on it: texts in, results out.
// A worker thread owns one; run() blocks its thread in native code, so never call it on the main loop.
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { LivepipeError } from '../errors.js';
import type { BatchRun, BoundModel, ModelManifest } from './model-manifest.js';

export type { BatchRun } from './model-manifest.js';

export interface ModelRunnerOptions {
  /** Threads inside one operator (default 1: one session per worker thread scales better). */
  intraOpNumThreads?: number;
}

export class ModelRunner {
  readonly manifest: ModelManifest;
  private readonly session: ort.InferenceSession;
  private readonly model: BoundModel;

  private constructor(manifest: ModelManifest, session: ort.InferenceSession, model: BoundModel) {
    this.manifest = manifest;
    this.session = session;
    this.model = model;
  }

  /** Opens the manifest's ONNX file single-threaded and binds the manifest's kind to it. */
  static async open(manifest: ModelManifest, options: ModelRunnerOptions = {}): Promise<ModelRunner> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(manifest.modelPath, {
        intraOpNumThreads: options.intraOpNumThreads ?? 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      const fix =
        manifest.modelKind === 'featurized-classifier'
          ? 'Rebuild it with `npm run models:build`, or point "file" at a valid .onnx file.'
          : 'Fetch it again (`npm run models:fetch`) or re-export it, or point "file" at a valid .onnx file.';
      throw new LivepipeError(
        'LP_MODEL_INVALID',
        `${manifest.modelPath} (named by ${manifest.manifestPath}) is not a loadable ONNX model: ${(error as Error).message.trim()}. ${fix}`,
        { cause: error },
      );
    }
    try {
      return new ModelRunner(manifest, session, await manifest.bind(session));
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  async run(texts: readonly string[]): Promise<BatchRun> {
    const started = performance.now();
    const run = await this.model.run(texts);
    return { ...run, inferMs: performance.now() - started };
  }

  /** A text-embedding model's vectors, one per text. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.manifest.task !== 'text-embedding') {
      throw new LivepipeError(
        'LP_MODEL_INVALID',
        `${this.manifest.manifestPath} is a ${this.manifest.task} model; embed() needs a text-embedding model`,
      );
    }
    const { results } = await this.model.run(texts);
    return results.map((result) => result.embedding as Float32Array);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
