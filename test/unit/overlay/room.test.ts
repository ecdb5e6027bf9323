import { describe, expect, it } from 'vitest';
import type { OverlayMessage, OverlaySnapshot } from '../../../src/overlay/protocol.js';
import { Room } from '../../../src/overlay/room.js';

function parseMessage(json: string): OverlayMessage {
  return JSON.parse(json) as OverlayMessage;
}

function parseSnapshot(room: Room): OverlaySnapshot {
  return JSON.parse(room.snapshot()) as OverlaySnapshot;
}

describe('Room', () => {
  it('numbers messages 1, 2, 3, ... with no gaps', () => {
    const room = new Room('s1', 10, 10);
    const seqs: number[] = [];
    for (let i = 0; i < 25; i++) {
      const message = parseMessage(room.append(i % 2 === 0 ? 'comments' : 'hype', { i }, 1000 + i));
      expect(message.seq).toBe(room.seq);
      seqs.push(message.seq);
    }
    expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('encodes a message with the documented fields', () => {
    const room = new Room('stream "quoted"', 5, 5);
    const message = parseMessage(room.append('poll', { tallies: { a: 1 } }, 1234));
    expect(message).toEqual({
      kind: 'message',
      stream: 'stream "quoted"',
      seq: 1,
      channel: 'poll',
      ts: 1234,
      data: { tallies: { a: 1 } },
    });
  });

  it('encodes data JSON cannot represent as null', () => {
    const room = new Room('s', 5, 5);
    expect(parseMessage(room.append('x', undefined, 1)).data).toBeNull();
  });

  it('snapshots an empty room with seq 0, no messages and no latest', () => {
    const snapshot = parseSnapshot(new Room('s', 5, 5));
    expect(snapshot).toEqual({ kind: 'snapshot', stream: 's', seq: 0, messages: [], latest: {} });
  });

  it('puts the last snapshotSize messages in a snapshot, oldest first', () => {
    const room = new Room('s', 3, 100);
    for (let i = 1; i <= 7; i++) room.append('comments', { n: i }, i);
    const snapshot = parseSnapshot(room);
    expect(snapshot.seq).toBe(7);
    expect(snapshot.messages.map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(snapshot.messages.map((m) => m.data)).toEqual([{ n: 5 }, { n: 6 }, { n: 7 }]);
  });

  it('keeps the newest message of every channel in latest, even once it left the ring', () => {
    const room = new Room('s', 2, 2);
    room.append('poll', { total: 1 }, 1);
    room.append('hype', { hype: 0.1 }, 2);
    room.append('poll', { total: 2 }, 3);
    room.append('hype', { hype: 0.2 }, 4);
    for (let i = 0; i < 5; i++) room.append('comments', { i }, 10 + i);
    const snapshot = parseSnapshot(room);
    expect(snapshot.messages.map((m) => m.seq)).toEqual([8, 9]);
    expect(Object.keys(snapshot.latest).sort()).toEqual(['comments', 'hype', 'poll']);
    expect(snapshot.latest.poll).toMatchObject({ seq: 3, channel: 'poll', data: { total: 2 } });
    expect(snapshot.latest.hype).toMatchObject({ seq: 4, data: { hype: 0.2 } });
    expect(snapshot.latest.comments).toMatchObject({ seq: 9, data: { i: 4 } });
  });

  it('snapshots with snapshotSize 0 carry only latest', () => {
    const room = new Room('s', 0, 10);
    room.append('hype', { hype: 1 }, 1);
    const snapshot = parseSnapshot(room);
    expect(snapshot.messages).toEqual([]);
    expect(snapshot.latest.hype?.seq).toBe(1);
  });

  it('returns the messages after since for a resume', () => {
    const room = new Room('s', 2, 10);
    for (let i = 1; i <= 8; i++) room.append('comments', { n: i }, i);
    expect(room.since(5)?.map((json) => parseMessage(json).seq)).toEqual([6, 7, 8]);
    expect(room.since(8)).toEqual([]);
  });

  it('refuses a resume whose messages were evicted from the ring', () => {
    const room = new Room('s', 2, 4);
    for (let i = 1; i <= 10; i++) room.append('comments', { n: i }, i);
    // Ring holds 7..10: since=6 is exactly servable, since=5 is not.
    expect(room.since(6)?.map((json) => parseMessage(json).seq)).toEqual([7, 8, 9, 10]);
    expect(room.since(5)).toBeUndefined();
    expect(room.since(0)).toBeUndefined();
  });

  it('refuses a resume from a seq ahead of the room (the server restarted)', () => {
    const room = new Room('s', 2, 4);
    room.append('comments', {}, 1);
    expect(room.since(2)).toBeUndefined();
    expect(room.since(1)).toEqual([]);
  });

  it('keeps at least snapshotSize messages for resumes when the history is smaller', () => {
    const room = new Room('s', 5, 1);
    for (let i = 1; i <= 6; i++) room.append('comments', {}, i);
    expect(room.since(1)?.length).toBe(5);
  });

  it('holds only its own stream in its snapshot; another room does not leak in', () => {
    const a = new Room('a', 5, 5);
    const b = new Room('b', 5, 5);
    a.append('comments', { from: 'a' }, 1);
    b.append('comments', { from: 'b' }, 1);
    b.append('hype', { from: 'b' }, 2);
    const snapshotA = JSON.parse(a.snapshot()) as OverlaySnapshot;
    expect(snapshotA.seq).toBe(1);
    expect(snapshotA.messages.map((m) => [m.stream, m.data])).toEqual([['a', { from: 'a' }]]);
    expect(Object.keys(snapshotA.latest)).toEqual(['comments']);
  });
});
