// Reads what a Hugging Face/Optimum export folder says about itself: labels (config.json id2label),
// position limit (max_position_embeddings), tokenizer limit (tokenizer_config.json model_max_length)
// and sentence-transformers pooling (1_Pooling/config.json). Every file is optional.
import { readFile } from 'node:fs/promises';
import { LivepipeError } from '../../errors.js';
import type { Pooling } from '../model-manifest.js';

export type JsonObject = Record<string, unknown>;

/** The parsed object, or undefined when the file does not exist. */
export async function readJsonObject(path: string): Promise<JsonObject | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LivepipeError('LP_MODEL_INVALID', `${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LivepipeError('LP_MODEL_INVALID', `${path} should hold a JSON object`);
  }
  return value as JsonObject;
}

/** config.json's id2label ({"0": "NEGATIVE", "1": "POSITIVE"}) as labels in column order. */
export function labelsFromConfig(config: JsonObject | undefined, path: string): string[] | undefined {
  const id2label = config?.id2label;
  if (id2label === undefined) return undefined;
  if (typeof id2label !== 'object' || id2label === null) {
    throw new LivepipeError('LP_MODEL_INVALID', `${path}: id2label should map column numbers to label names`);
  }
  const entries = Object.entries(id2label as JsonObject);
  const labels: string[] = new Array(entries.length);
  for (const [key, label] of entries) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= entries.length || typeof label !== 'string') {
      throw new LivepipeError(
        'LP_MODEL_INVALID',
        `${path}: id2label should number its labels 0..${entries.length - 1}, found "${key}": ${JSON.stringify(label)}`,
      );
    }
    labels[index] = label;
  }
  return labels;
}

/** A positive integer field, else undefined. */
export function integerField(object: JsonObject | undefined, field: string): number | undefined {
  const value = object?.[field];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Hugging Face writes model_max_length 1e30 when it does not know: only a plausible limit counts. */
export function modelMaxLength(tokenizerConfig: JsonObject | undefined): number | undefined {
  const value = integerField(tokenizerConfig, 'model_max_length');
  return value !== undefined && value <= 65_536 ? value : undefined;
}

/** sentence-transformers' 1_Pooling/config.json: CLS or mean pooling (others are not offered here). */
export function poolingFromSentenceTransformers(config: JsonObject | undefined): Pooling | undefined {
  if (config === undefined) return undefined;
  if (config.pooling_mode_cls_token === true) return 'cls';
  if (config.pooling_mode_mean_tokens === true) return 'mean';
  return undefined;
}
