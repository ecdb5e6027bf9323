import { describe, expect, it } from 'vitest';
import { FifoQueue } from '../../../src/collections/fifo-queue.js';

describe('FifoQueue', () => {
  it('puts shifted items back at the front in their order', () => {
    const queue = new FifoQueue<number>();
    for (let i = 0; i < 5; i++) queue.push(i);
    const shifted = [queue.shift() as number, queue.shift() as number];
    queue.prepend(shifted);
    expect(queue.drain()).toEqual([0, 1, 2, 3, 4]);
  });

  it('prepends more items than were taken off, ahead of everything queued', () => {
    const queue = new FifoQueue<number>();
    queue.push(3);
    queue.push(4);
    queue.shift();
    queue.prepend([0, 1, 2]);
    expect(queue.length).toBe(4);
    expect(queue.take(10)).toEqual([0, 1, 2, 4]);
  });

  it('prepends into an emptied queue', () => {
    const queue = new FifoQueue<number>();
    queue.push(1);
    queue.shift();
    queue.prepend([7, 8]);
    expect(queue.drain()).toEqual([7, 8]);
  });
});
