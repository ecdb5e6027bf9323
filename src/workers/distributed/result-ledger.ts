// The router side's record of batches sent to remote workers. BullMQ delivers a batch at least
// once (a stalled job is retried, and a slow first worker may still finish), so settling is
// idempotent: the first result of a job wins, later ones are counted as duplicates and ignored.
export interface LedgerItem {
  /** The event id; a result message must list the same ids in the same order. */
  readonly id: string;
}

export interface LedgerBatch<Item extends LedgerItem> {
  jobId: string;
  items: Item[];
  /** performance.now() when the job was added. */
  sentAt: number;
}

export type SettleOutcome<Item extends LedgerItem> =
  | { kind: 'settled'; batch: LedgerBatch<Item> }
  /** The job was already settled (a retried batch completing a second time). */
  | { kind: 'duplicate' }
  /** No such job here: it timed out and was failed, or it belongs to an earlier run of this router. */
  | { kind: 'unknown' }
  /** The result's ids do not match the batch: the batch is taken out and must be failed. */
  | { kind: 'mismatch'; batch: LedgerBatch<Item>; detail: string };

/** How many settled job ids are remembered for telling duplicates from unknown jobs. */
const DEFAULT_REMEMBERED = 4096;

export class ResultLedger<Item extends LedgerItem> {
  private readonly open = new Map<string, LedgerBatch<Item>>();
  /** Settled or failed job ids, oldest first (insertion order), bounded. */
  private readonly closed = new Set<string>();
  private items = 0;

  constructor(private readonly remembered = DEFAULT_REMEMBERED) {}

  /** Batches awaiting a result. */
  get openBatches(): number {
    return this.open.size;
  }

  /** Items awaiting a result. */
  get openItems(): number {
    return this.items;
  }

  add(batch: LedgerBatch<Item>): void {
    if (this.open.has(batch.jobId) || this.closed.has(batch.jobId))
      throw new Error(`job id ${batch.jobId} was used twice`);
    this.open.set(batch.jobId, batch);
    this.items += batch.items.length;
  }

  /** Takes the batch out for its result ids, or says why not. */
  settle(jobId: string, ids: readonly string[]): SettleOutcome<Item> {
    const batch = this.take(jobId);
    if (batch === undefined) return this.closed.has(jobId) ? { kind: 'duplicate' } : { kind: 'unknown' };
    const items = batch.items;
    if (ids.length !== items.length) {
      return { kind: 'mismatch', batch, detail: `${ids.length} results for a batch of ${items.length}` };
    }
    for (let i = 0; i < items.length; i++) {
      if (ids[i] !== (items[i] as Item).id)
        return { kind: 'mismatch', batch, detail: `result ${i} is for ${ids[i]}, expected ${(items[i] as Item).id}` };
    }
    return { kind: 'settled', batch };
  }

  /** Takes a batch out to fail it (permanent job failure, timeout); undefined if already settled. */
  fail(jobId: string): LedgerBatch<Item> | undefined {
    return this.take(jobId);
  }

  /** Batches sent before `before` (performance.now()), still open. */
  overdue(before: number): LedgerBatch<Item>[] {
    const late: LedgerBatch<Item>[] = [];
    // Insertion order is send order: stop at the first one in time.
    for (const batch of this.open.values()) {
      if (batch.sentAt >= before) break;
      late.push(batch);
    }
    return late;
  }

  /** Takes every open batch out (closing the pool). */
  drain(): LedgerBatch<Item>[] {
    const all = [...this.open.values()];
    for (const batch of all) this.take(batch.jobId);
    return all;
  }

  private take(jobId: string): LedgerBatch<Item> | undefined {
    const batch = this.open.get(jobId);
    if (batch === undefined) return undefined;
    this.open.delete(jobId);
    this.items -= batch.items.length;
    this.closed.add(jobId);
    if (this.closed.size > this.remembered) {
      const oldest = this.closed.values().next().value as string;
      this.closed.delete(oldest);
    }
    return batch;
  }
}
