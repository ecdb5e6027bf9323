import { describe, expect, it } from 'vitest';
import { aggregationSchema } from '../../../src/config/schema.js';
import { EngagementAggregator, hypeLevel } from '../../../src/aggregate/index.js';
import type { LiveEvent } from '../../../src/events/cloudevent.js';
import { LivepipeError } from '../../../src/errors.js';

const spec = (input: Record<string, unknown> = {}) => aggregationSchema.parse({ name: 'engagement', ...input });

let n = 0;
function event(type: string, data: unknown, stream = 'stream-1'): LiveEvent {
  return { specversion: '1.0', id: `e${++n}`, source: `/live/streams/${stream}`, type, stream, data };
}
const viewer = { id: 'v1', name: 'a', level: 1 };
const like = (count: number, stream?: string) => event('live.like', { viewer, count }, stream);
const gift = (value: number, count: number) => event('live.gift', { viewer, gift: { name: 'g', value, count } });
const vote = (id: string, option: string, options = ['a', 'b', 'c']) =>
  event('live.vote', { viewer, poll: { id, question: `q ${id}`, option, options } });

describe('EngagementAggregator', () => {
  it('reports per-second rates over the window for likes, gifts and joins', () => {
    const aggregator = new EngagementAggregator(spec({ window: 10_000, bucket: 1000, hypeFullScale: 1000 }));
    aggregator.add(like(30), 1000);
    aggregator.add(like(20), 2000);
    aggregator.add(gift(100, 3), 3000);
    aggregator.add(gift(5, 1), 3500);
    aggregator.add(event('live.join', { viewer }), 4000);
    const reading = aggregator.hype('stream-1', 5000);
    expect(reading.likesPerSec).toBe(5);
    expect(reading.giftValuePerSec).toBeCloseTo(30.5);
    expect(reading.giftsPerSec).toBeCloseTo(0.4);
    expect(reading.joinsPerSec).toBeCloseTo(0.1);
    expect(reading.hype).toBeCloseTo(hypeLevel(35.5, 1000));
  });

  it('stops counting events that fall out of the window', () => {
    const aggregator = new EngagementAggregator(spec({ window: 3000, bucket: 1000 }));
    aggregator.add(like(30), 0);
    aggregator.add(like(6), 2500);
    expect(aggregator.hype('stream-1', 2999).likesPerSec).toBe(12);
    expect(aggregator.hype('stream-1', 3000).likesPerSec).toBe(2);
    expect(aggregator.hype('stream-1', 6000).likesPerSec).toBe(0);
  });

  it('counts late events within the window and refuses older ones', () => {
    const aggregator = new EngagementAggregator(spec({ window: 3000, bucket: 1000 }));
    expect(aggregator.add(like(3), 10_000)).toBe(true);
    expect(aggregator.add(like(3), 8_100)).toBe(true);
    expect(aggregator.add(like(3), 7_900)).toBe(false);
    expect(aggregator.lateEvents).toBe(1);
    expect(aggregator.hype('stream-1', 10_000).likesPerSec).toBe(2);
  });

  it('keeps streams apart and lists them', () => {
    const aggregator = new EngagementAggregator(spec({ window: 1000, bucket: 1000 }));
    aggregator.add(like(4, 'stream-1'), 0);
    aggregator.add(like(9, 'stream-2'), 0);
    expect(aggregator.hype('stream-2', 0).likesPerSec).toBe(9);
    expect(aggregator.streams().sort()).toEqual(['stream-1', 'stream-2']);
    expect(aggregator.hype('unknown', 0).hype).toBe(0);
  });

  it('tallies all votes of the current poll and resets when the poll changes', () => {
    const aggregator = new EngagementAggregator(spec());
    aggregator.add(vote('p1', 'a'), 0);
    aggregator.add(vote('p1', 'a'), 60_000);
    aggregator.add(vote('p1', 'b'), 120_000);
    expect(aggregator.poll('stream-1')).toEqual({
      pollId: 'p1',
      question: 'q p1',
      tallies: { a: 2, b: 1, c: 0 },
      total: 3,
    });
    aggregator.add(vote('p2', 'y', ['x', 'y']), 130_000);
    expect(aggregator.poll('stream-1')).toEqual({ pollId: 'p2', question: 'q p2', tallies: { x: 0, y: 1 }, total: 1 });
    // A straggler for the replaced poll neither resets nor joins the new tally.
    expect(aggregator.add(vote('p1', 'a'), 130_001)).toBe(false);
    expect(aggregator.poll('stream-1')?.pollId).toBe('p2');
    expect(aggregator.poll('stream-1')?.total).toBe(1);
  });

  it('saturates the hype meter at the full scale', () => {
    const aggregator = new EngagementAggregator(spec({ window: 1000, bucket: 1000, hypeFullScale: 50 }));
    aggregator.add(like(10), 0);
    const low = aggregator.hype('stream-1', 0).hype;
    aggregator.add(like(30), 0);
    const high = aggregator.hype('stream-1', 0).hype;
    aggregator.add(like(500), 0);
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(low);
    expect(high).toBeLessThan(1);
    expect(aggregator.hype('stream-1', 0).hype).toBe(1);
    expect(hypeLevel(50, 50)).toBeCloseTo(1, 12);
  });

  it('counts events without the fields it needs as malformed', () => {
    const aggregator = new EngagementAggregator(spec());
    expect(aggregator.add(event('live.gift', { viewer }), 0)).toBe(false);
    expect(aggregator.add(event('live.vote', { viewer, poll: {} }), 0)).toBe(false);
    expect(aggregator.malformedEvents).toBe(2);
  });

  it('rejects a window that is not a multiple of the bucket', () => {
    expect(() => new EngagementAggregator(spec({ window: 10_000, bucket: 3000 }))).toThrow(LivepipeError);
    expect(() => new EngagementAggregator(spec({ window: 500, bucket: 1000 }))).toThrow(/multiple of bucket/);
  });
});
