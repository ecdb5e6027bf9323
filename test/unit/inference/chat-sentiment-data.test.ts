// The chat lines written for the English sentiment model: the evaluation set is never trained on.
import { describe, expect, it } from 'vitest';
import { ENGLISH_CHAT_EVAL } from '../../../models/chat-eval-en.js';
import { ENGLISH_CHAT_TRAIN } from '../../../models/chat-train-en.js';

const normalised = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9 ]/g, '')
    .trim();

describe('English chat lines', () => {
  it('keeps the evaluation lines out of the training lines (exact and lower-cased without punctuation)', () => {
    const train = new Set(ENGLISH_CHAT_TRAIN.map((line) => normalised(line.text)));
    expect(ENGLISH_CHAT_EVAL.filter((line) => train.has(normalised(line.text)))).toEqual([]);
  });

  it('has at least 60 evaluation lines, no duplicates, both labels about equally', () => {
    const texts = ENGLISH_CHAT_EVAL.map((line) => normalised(line.text));
    expect(texts.length).toBeGreaterThanOrEqual(60);
    expect(new Set(texts).size).toBe(texts.length);
    const positive = ENGLISH_CHAT_EVAL.filter((line) => line.label === 'positive').length;
    expect(Math.abs(2 * positive - texts.length)).toBeLessThanOrEqual(2);
  });
});
