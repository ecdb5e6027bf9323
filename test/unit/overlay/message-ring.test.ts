import { describe, expect, it } from 'vitest';
import { MessageRing } from '../../../src/overlay/message-ring.js';

describe('MessageRing', () => {
  it('returns what it holds, oldest first, before it wraps', () => {
    const ring = new MessageRing(4);
    ring.push('a');
    ring.push('b');
    expect(ring.size).toBe(2);
    expect(ring.newest(10)).toEqual(['a', 'b']);
    expect(ring.newest(1)).toEqual(['b']);
  });

  it('overwrites the oldest entry once full', () => {
    const ring = new MessageRing(3);
    for (const item of ['a', 'b', 'c', 'd', 'e']) ring.push(item);
    expect(ring.size).toBe(3);
    expect(ring.newest(3)).toEqual(['c', 'd', 'e']);
    expect(ring.newest(2)).toEqual(['d', 'e']);
    expect(ring.newest(0)).toEqual([]);
  });

  it('holds nothing with capacity 0', () => {
    const ring = new MessageRing(0);
    ring.push('a');
    expect(ring.size).toBe(0);
    expect(ring.newest(5)).toEqual([]);
  });
});
