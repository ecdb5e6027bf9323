// `livepipe validate` goes one step further than loading a pipeline: it loads each model's
// manifest and opens its ONNX file as `run` would, so a missing, unfetched or broken model is
// reported at the `manifest` field of the pipeline instead of only when the pipeline starts.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { isLivepipeError } from '../errors.js';
import { loadModelManifest } from '../inference/model-registry.js';
import { ModelRunner } from '../inference/model-runner.js';
import type { ConfigIssue } from './config-error.js';
import { formatFieldPath, type FieldPath } from './field-path.js';
import type { Pipeline } from './schema.js';
import { SourceLocator } from './source-locator.js';

/**
 * One issue per model whose manifest does not load or whose ONNX file does not open; `file` is
 * the pipeline file as the user named it (positions are read from it again, it is small).
 */
export async function checkModelFiles(pipeline: Pipeline, file: string): Promise<ConfigIssue[]> {
  if (pipeline.models.length === 0) return [];
  const lineCounter = new LineCounter();
  const document = parseDocument(await readFile(file, 'utf8'), { lineCounter, prettyErrors: false });
  const locator = new SourceLocator(document, lineCounter);
  const issues: ConfigIssue[] = [];
  // One model at a time: opening ONNX sessions side by side would only compete for the cores.
  for (const [index, model] of pipeline.models.entries()) {
    try {
      const runner = await ModelRunner.open(await loadModelManifest(model.manifest));
      await runner.close();
    } catch (error) {
      if (!isLivepipeError(error)) throw error;
      const path: FieldPath = ['models', index, 'manifest'];
      const { line, column } = locator.valueAt(path);
      const message = `model "${model.name}" cannot run: ${error.message} [${error.code}]`;
      issues.push({ file, line, column, path: formatFieldPath(path), message });
    }
  }
  return issues;
}
