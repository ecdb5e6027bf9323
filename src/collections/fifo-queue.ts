// A first-in first-out queue read from a moving head, so taking from the front never shifts; taken
// slots are cleared so they hold no item, and the consumed prefix is dropped now and then. Used by
// the batchers and by the HTTP subscriber's waiting requests.

export class FifoQueue<Item> {
  private items: Array<Item | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: Item): void {
    this.items.push(item);
  }

  /** The oldest item, left queued. */
  peek(): Item | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the oldest item. */
  shift(): Item | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    this.compact();
    return item;
  }

  /** Removes and returns up to `count` of the oldest items, oldest first. */
  take(count: number): Item[] {
    const end = Math.min(this.items.length, this.head + count);
    const batch = this.items.slice(this.head, end) as Item[];
    for (let i = this.head; i < end; i++) this.items[i] = undefined;
    this.head = end;
    this.compact();
    return batch;
  }

  /** Puts items back at the front, in their order (ahead of everything queued). */
  prepend(items: readonly Item[]): void {
    // The triage puts back items it has just shifted off, so their cleared slots are usually still there.
    if (items.length <= this.head) {
      for (let i = items.length - 1; i >= 0; i--) this.items[--this.head] = items[i];
      return;
    }
    this.items = items.concat(this.items.slice(this.head) as Item[]);
    this.head = 0;
  }

  /** Removes and returns everything queued. */
  drain(): Item[] {
    const rest = this.items.slice(this.head) as Item[];
    this.items = [];
    this.head = 0;
    return rest;
  }

  // Compact now and then instead of shifting on every take.
  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
