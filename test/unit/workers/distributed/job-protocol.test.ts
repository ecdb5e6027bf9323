import { describe, expect, it } from 'vitest';
import {
  batchJobData,
  checkBatchJobData,
  decodeBatchResult,
  encodeBatchResult,
  isValidQueueName,
  resultListKey,
  type BatchResultMessage,
} from '../../../../src/workers/distributed/job-protocol.js';

const message: BatchResultMessage = {
  jobId: 'host-1-abcd-7',
  attempt: 2,
  worker: 'host:42',
  inferMs: 1.25,
  ids: ['a', 'b'],
  results: [
    { label: 'positive', score: 0.9, scores: { negative: 0.1, positive: 0.9 } },
    {
      label: 'negative',
      score: 0.8,
      scores: { negative: 0.8, positive: 0.2 },
      moderation: { flagged: true, matches: 1 },
    },
  ],
};

describe('batch result messages', () => {
  it('decode what encode wrote, field for field', () => {
    expect(decodeBatchResult(encodeBatchResult(message))).toEqual(message);
    const counted = { ...message, tokens: { tokenCounts: [5, 9], sequenceLength: 9 } };
    expect(decodeBatchResult(encodeBatchResult(counted))).toEqual(counted);
  });

  it.each([
    ['not JSON', 'nope{', /not JSON/],
    ['not an object', '42', /not an object/],
    ['no jobId', JSON.stringify({ ...message, jobId: '' }), /no jobId/],
    ['attempt 0', JSON.stringify({ ...message, attempt: 0 }), /attempt/],
    ['negative inferMs', JSON.stringify({ ...message, inferMs: -1 }), /inferMs/],
    ['more ids than results', JSON.stringify({ ...message, ids: ['a', 'b', 'c'] }), /equal length/],
    [
      'a result without a label',
      JSON.stringify({ ...message, results: [{ score: 1 }, { label: 'x', score: 1 }] }),
      /label and score/,
    ],
    [
      'a token count per text missing',
      JSON.stringify({ ...message, tokens: { tokenCounts: [5], sequenceLength: 9 } }),
      /token counts/,
    ],
    [
      'a token count above the padded length',
      JSON.stringify({ ...message, tokens: { tokenCounts: [5, 12], sequenceLength: 9 } }),
      /token counts/,
    ],
  ])('rejects a message with %s', (_, text, error) => {
    expect(() => decodeBatchResult(text)).toThrow(error);
  });
});

describe('batch job data', () => {
  it("is built from a batch's items in order, and a worker accepts it", () => {
    const data = batchJobData('r1', [
      { id: 'a', text: 'first' },
      { id: 'b', text: 'second' },
    ]);
    expect(data).toEqual({ router: 'r1', ids: ['a', 'b'], texts: ['first', 'second'] });
    expect(checkBatchJobData(data)).toBe(data);
  });

  it('accepts ids and texts of equal length', () => {
    const data = { router: 'r1', ids: ['a'], texts: ['hello'] };
    expect(checkBatchJobData(data)).toBe(data);
  });

  it.each([
    ['null', null],
    ['no router', { ids: ['a'], texts: ['x'] }],
    ['an empty batch', { router: 'r', ids: [], texts: [] }],
    ['ids and texts of different length', { router: 'r', ids: ['a', 'b'], texts: ['x'] }],
    ['a text that is not a string', { router: 'r', ids: ['a'], texts: [3] }],
  ])('rejects %s', (_, data) => {
    expect(() => checkBatchJobData(data)).toThrow();
  });
});

describe('queue names and keys', () => {
  it('refuses a colon, which BullMQ does not allow in a queue name', () => {
    expect(isValidQueueName('chat-sentiment')).toBe(true);
    expect(isValidQueueName('a:b')).toBe(false);
    expect(isValidQueueName('')).toBe(false);
  });

  it('puts each router on its own result list under the queue', () => {
    expect(resultListKey('chat-sentiment', 'r1')).toBe('livepipe:chat-sentiment:results:r1');
    expect(resultListKey('chat-sentiment', 'r1')).not.toBe(resultListKey('chat-sentiment', 'r2'));
  });
});
