// A fixed-capacity ring of encoded messages: the history a room keeps for snapshots and resumes.
// Its slots are allocated once; a push overwrites the oldest entry.

export class MessageRing {
  private readonly slots: string[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<string>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(message: string): void {
    if (this.capacity === 0) return;
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = message;
      this.count++;
    } else {
      this.slots[this.start] = message;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Forgets every entry (a room that missed messages cannot serve resumes across the gap). */
  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  /** The newest `n` entries (fewer if the ring holds fewer), oldest first. */
  newest(n: number): string[] {
    const take = Math.min(n, this.count);
    const out = new Array<string>(take);
    const first = this.count - take;
    for (let i = 0; i < take; i++) out[i] = this.slots[(this.start + first + i) % this.capacity] as string;
    return out;
  }
}
