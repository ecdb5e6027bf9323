// Where events go that no subscriber could take: every dead-lettered event is counted by reason
// and kept (the most recent ones) with the reason, so nothing disappears silently. Events that a
// trigger's delivery.deadLetterSink (dead-letter-sinks.ts) accepted are not counted here.
import type { LiveEvent } from '../events/cloudevent.js';

export interface DeadLetter {
  /** Stable reason code: queue-full, worker-failed, decode-error, budget-shed, … */
  reason: string;
  /** What went wrong, in words. */
  message: string;
  /** Where it failed: a subscriber (model, trigger) or a source. */
  destination: string;
  /** The event, when there is one; undecodable input carries `raw` instead. */
  event?: LiveEvent;
  raw?: { key?: string | null; value?: string | null; headers?: Record<string, string>; position?: string };
  time: string;
}

export class DeadLetterLog {
  private readonly capacity: number;
  private readonly ring: DeadLetter[] = [];
  private next = 0;
  private total = 0;

  constructor(capacity = 100) {
    this.capacity = capacity;
  }

  add(letter: DeadLetter): void {
    this.total++;
    if (this.capacity === 0) return;
    if (this.ring.length < this.capacity) this.ring.push(letter);
    else this.ring[this.next] = letter;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  recent(): DeadLetter[] {
    return this.ring.length < this.capacity
      ? [...this.ring]
      : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  get count(): number {
    return this.total;
  }
}
