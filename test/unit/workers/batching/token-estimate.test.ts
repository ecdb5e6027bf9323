import { describe, expect, it } from 'vitest';
import { estimateTokens, SPECIAL_TOKENS } from '../../../../src/workers/batching/token-estimate.js';

describe('estimateTokens', () => {
  it.each([
    ['', SPECIAL_TOKENS],
    ['gg', 3],
    ['the stream is lagging', 2 + 4 + 1],
    ["Don't GG yet!!", 2 + 1 + 1 + 1 + 1 + 1 + 2],
    ['主播好厉害666', 2 + 5 + 1],
    ['卡了吗？？', 2 + 3 + 2],
    ['ＧＧ　wp', 2 + 1 + 1],
    ['lol 😂😂😂', 2 + 1 + 1],
  ])('estimates %j as %i tokens', (text, tokens) => {
    expect(estimateTokens(text)).toBe(tokens);
  });

  it('grows with the length of a text', () => {
    const short = estimateTokens('nice play');
    const long = estimateTokens('nice play, that was the cleanest clutch I have seen on this stream all week');
    expect(long).toBeGreaterThan(3 * short);
  });
});
