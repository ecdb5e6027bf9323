// The chat lines written for the sentiment models: the evaluation sets are never trained on.
import { describe, expect, it } from 'vitest';
import { ENGLISH_CHAT_EVAL } from '../../../models/chat-eval-en.js';
import { ENGLISH_CHAT_TRAIN } from '../../../models/chat-train-en.js';
import { CHINESE_CHAT_EVAL, CHINESE_PROTOTYPE_PHRASES } from '../../../models/chat-zh.js';

const normalised = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9 ]/g, '')
    .trim();

describe('chat lines written for the sentiment models', () => {
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

  it('keeps the Chinese evaluation lines apart from the prototype phrases', () => {
    const used = new Set(CHINESE_PROTOTYPE_PHRASES.map((line) => line.text));
    expect(CHINESE_CHAT_EVAL.filter((line) => used.has(line.text))).toEqual([]);
    expect(new Set(CHINESE_CHAT_EVAL.map((line) => line.text)).size).toBe(CHINESE_CHAT_EVAL.length);
    const positive = CHINESE_CHAT_EVAL.filter((line) => line.label === 'positive').length;
    expect(positive * 2).toBe(CHINESE_CHAT_EVAL.length);
  });
});
