// What travels between a DistributedPool (router side) and `livepipe worker` processes through
// Redis: one BullMQ job per micro-batch, and one result message per finished batch pushed onto the
// submitting router's own result list. Decoding validates once per batch, never per item.
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';

/** BullMQ key prefix: a model's queue lives under `livepipe:<queue>:…`. */
export const QUEUE_PREFIX = 'livepipe';

/** Result lists of routers that went away expire on their own. */
export const RESULT_LIST_TTL_MS = 10 * 60_000;

/** The data of one batch job. */
export interface BatchJobData {
  /** The submitting router instance; its result list is resultListKey(queue, router). */
  router: string;
  /** Event ids, in batch order (the result message repeats them so the router can check). */
  ids: string[];
  texts: string[];
}

/** The job data of a batch of items, in batch order. */
export function batchJobData(router: string, items: ReadonlyArray<{ id: string; text: string }>): BatchJobData {
  const ids = new Array<string>(items.length);
  const texts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as { id: string; text: string };
    ids[i] = item.id;
    texts[i] = item.text;
  }
  return { router, ids, texts };
}

/** One finished batch, as a worker reports it. */
export interface BatchResultMessage {
  jobId: string;
  /** 1 for the first run; a retried batch (stalled worker) reports a higher attempt. */
  attempt: number;
  /** The worker that ran it (host:pid/n). */
  worker: string;
  inferMs: number;
  ids: string[];
  results: ClassificationResult[];
  /** Transformer models run by one thread: each text's tokens and the padded length (token metrics). */
  tokens?: { tokenCounts: number[]; sequenceLength: number };
}

/** Queue names go into Redis keys between colons, and BullMQ refuses a colon in them. */
export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const QUEUE_NAME_RULE =
  '1-128 letters, digits, ".", "_" or "-", starting with a letter or digit (BullMQ refuses ":")';

export function isValidQueueName(name: string): boolean {
  return QUEUE_NAME.test(name);
}

/** The Redis list a router pops its results from. */
export function resultListKey(queue: string, router: string): string {
  return `${QUEUE_PREFIX}:${queue}:results:${router}`;
}

export function encodeBatchResult(message: BatchResultMessage): string {
  return JSON.stringify(message);
}

/** Parses a result message; throws an Error naming what is wrong (a foreign or corrupt entry). */
export function decodeBatchResult(text: string): BatchResultMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`result message is not JSON: ${text.slice(0, 80)}`);
  }
  if (typeof value !== 'object' || value === null) throw new Error('result message is not an object');
  const m = value as Partial<BatchResultMessage>;
  if (typeof m.jobId !== 'string' || m.jobId.length === 0) throw new Error('result message has no jobId');
  if (typeof m.attempt !== 'number' || !Number.isInteger(m.attempt) || m.attempt < 1)
    throw new Error(`result of job ${m.jobId} has no valid attempt`);
  if (typeof m.worker !== 'string') throw new Error(`result of job ${m.jobId} has no worker`);
  if (typeof m.inferMs !== 'number' || !(m.inferMs >= 0))
    throw new Error(`result of job ${m.jobId} has no valid inferMs`);
  if (!Array.isArray(m.ids) || !Array.isArray(m.results) || m.ids.length !== m.results.length) {
    throw new Error(`result of job ${m.jobId} needs ids and results of equal length`);
  }
  for (const result of m.results) {
    if (
      typeof result !== 'object' ||
      result === null ||
      typeof result.label !== 'string' ||
      typeof result.score !== 'number'
    ) {
      throw new Error(`result of job ${m.jobId} has an entry without label and score`);
    }
  }
  if (m.tokens !== undefined) {
    const { tokenCounts, sequenceLength } = m.tokens;
    if (
      !Array.isArray(tokenCounts) ||
      tokenCounts.length !== m.ids.length ||
      !tokenCounts.every((count) => Number.isInteger(count) && count >= 0 && count <= sequenceLength) ||
      !Number.isInteger(sequenceLength)
    ) {
      throw new Error(`result of job ${m.jobId} has token counts that do not fit its texts and sequenceLength`);
    }
  }
  return m as BatchResultMessage;
}

/** Checks job data as a worker receives it from Redis (another producer may share the queue). */
export function checkBatchJobData(data: unknown): BatchJobData {
  const d = data as Partial<BatchJobData> | null;
  if (typeof d !== 'object' || d === null) throw new Error('job data is not an object');
  if (typeof d.router !== 'string' || d.router.length === 0) throw new Error('job data has no router');
  if (!Array.isArray(d.ids) || !Array.isArray(d.texts) || d.ids.length !== d.texts.length || d.ids.length === 0) {
    throw new Error('job data needs non-empty ids and texts of equal length');
  }
  for (const text of d.texts) if (typeof text !== 'string') throw new Error('job data texts must be strings');
  return d as BatchJobData;
}
