// One live stream's message history: the per-room sequence, the ring buffer that serves snapshots
// and resumes, and the newest message of each channel. Knows nothing about sockets.
import { MessageRing } from './message-ring.js';
import { encodeMessage, encodeSnapshot, messagePrefix } from './protocol.js';

export class Room {
  private lastSeq = 0;
  private readonly ring: MessageRing;
  private readonly prefix: string;
  /** Keyed by the channel's JSON-encoded name, which is what the snapshot needs. */
  private readonly latest = new Map<string, string>();
  private readonly channelJson = new Map<string, string>();

  /**
   * @param snapshotSize messages a snapshot carries
   * @param historySize messages kept for resumes (at least snapshotSize)
   */
  constructor(
    readonly stream: string,
    private readonly snapshotSize: number,
    historySize: number,
  ) {
    this.ring = new MessageRing(Math.max(snapshotSize, historySize));
    this.prefix = messagePrefix(stream);
  }

  /** The seq of the newest message; 0 while the room has none. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Assigns the next seq and returns the encoded message (read the seq from `seq`). */
  append(channel: string, data: unknown, ts: number): string {
    let channelJson = this.channelJson.get(channel);
    if (channelJson === undefined) {
      channelJson = JSON.stringify(channel);
      this.channelJson.set(channel, channelJson);
    }
    const seq = ++this.lastSeq;
    const message = encodeMessage(this.prefix, seq, channelJson, ts, data);
    this.ring.push(message);
    this.latest.set(channelJson, message);
    return message;
  }

  /**
   * Appends a message numbered elsewhere (the Redis fan-out), or returns undefined for a seq the
   * room already has. A gap (messages this instance never received) empties the history first, so
   * a `since` across it is answered with a snapshot, never with the wrong messages.
   */
  appendAt(seq: number, channel: string, data: unknown, ts: number): string | undefined {
    if (seq <= this.lastSeq) return undefined;
    if (seq !== this.lastSeq + 1) this.ring.clear();
    this.lastSeq = seq - 1;
    return this.append(channel, data, ts);
  }

  snapshot(): string {
    return encodeSnapshot(this.stream, this.lastSeq, this.ring.newest(this.snapshotSize), this.latest);
  }

  /**
   * The messages after `since`, oldest first, or undefined when they cannot all be served: some
   * were evicted from the ring, or `since` is ahead of this room (the server restarted).
   */
  since(since: number): string[] | undefined {
    if (since > this.lastSeq) return undefined;
    const missed = this.lastSeq - since;
    if (missed > this.ring.size) return undefined;
    return this.ring.newest(missed);
  }
}
