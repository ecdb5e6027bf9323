// The per-partition commit point of the Kafka source: only the completed prefix is committable.
import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../../src/sources/kafka/offset-tracker.js';

function begun(...offsets: number[]): OffsetTracker {
  const tracker = new OffsetTracker();
  for (const offset of offsets) tracker.begin(offset);
  return tracker;
}

describe('OffsetTracker', () => {
  it('has nothing to commit before the first offset completes', () => {
    const tracker = begun(10, 11, 12);
    expect(tracker.committable).toBeUndefined();
    expect(tracker.inFlight).toBe(3);
  });

  it('commits the offset after a completed prefix (the next one to read)', () => {
    const tracker = begun(10, 11, 12);
    expect(tracker.complete(10)).toBe(true);
    expect(tracker.committable).toBe(11);
    expect(tracker.complete(11)).toBe(true);
    expect(tracker.committable).toBe(12);
  });

  it('does not commit past an offset still in flight when later ones complete first', () => {
    const tracker = begun(0, 1, 2, 3);
    expect(tracker.complete(2)).toBe(false);
    expect(tracker.complete(3)).toBe(false);
    expect(tracker.committable).toBeUndefined();
    expect(tracker.complete(0)).toBe(true);
    expect(tracker.committable).toBe(1);
    expect(tracker.complete(1)).toBe(true);
    expect(tracker.committable).toBe(4);
    expect(tracker.inFlight).toBe(0);
  });

  it('steps over gaps in the offsets (compaction, transaction markers) instead of waiting for them', () => {
    const tracker = begun(5, 9, 20);
    tracker.complete(9);
    tracker.complete(5);
    expect(tracker.committable).toBe(10);
    tracker.complete(20);
    expect(tracker.committable).toBe(21);
  });

  it('keeps the last commit point when everything completed and new offsets begin', () => {
    const tracker = begun(0, 1);
    tracker.complete(1);
    tracker.complete(0);
    tracker.begin(2);
    expect(tracker.committable).toBe(2);
    tracker.complete(2);
    expect(tracker.committable).toBe(3);
  });

  it('tracks a long run completed in reverse order and commits past all of it at the end', () => {
    const tracker = new OffsetTracker();
    for (let offset = 0; offset < 5000; offset++) tracker.begin(offset);
    for (let offset = 4999; offset > 0; offset--) expect(tracker.complete(offset)).toBe(false);
    expect(tracker.committable).toBeUndefined();
    expect(tracker.inFlight).toBe(1);
    expect(tracker.complete(0)).toBe(true);
    expect(tracker.committable).toBe(5000);
  });

  it('stays correct across internal compaction of a long, partly completed queue', () => {
    const tracker = new OffsetTracker();
    for (let offset = 0; offset < 3000; offset++) tracker.begin(offset);
    for (let offset = 0; offset < 2000; offset++) tracker.complete(offset);
    expect(tracker.committable).toBe(2000);
    tracker.complete(2500);
    tracker.complete(2000);
    expect(tracker.committable).toBe(2001);
    for (let offset = 2001; offset < 3000; offset++) if (offset !== 2500) tracker.complete(offset);
    expect(tracker.committable).toBe(3000);
    expect(tracker.inFlight).toBe(0);
  });

  it('rejects offsets that do not ascend and completions of offsets not in flight', () => {
    const tracker = begun(3, 4);
    expect(() => tracker.begin(4)).toThrow(RangeError);
    expect(() => tracker.begin(2)).toThrow(RangeError);
    expect(() => tracker.complete(7)).toThrow(RangeError);
    tracker.complete(4);
    expect(() => tracker.complete(4)).toThrow(RangeError);
    expect(tracker.lastBegun).toBe(4);
  });
});
