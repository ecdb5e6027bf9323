import { describe, expect, it } from 'vitest';
import { ResultLedger } from '../../../../src/workers/distributed/result-ledger.js';

const batch = (jobId: string, ids: string[], sentAt = 0) => ({ jobId, items: ids.map((id) => ({ id })), sentAt });

describe('ResultLedger', () => {
  it('settles a batch once and counts a second completion as a duplicate', () => {
    const ledger = new ResultLedger<{ id: string }>();
    ledger.add(batch('j1', ['a', 'b']));
    expect(ledger.openItems).toBe(2);
    const first = ledger.settle('j1', ['a', 'b']);
    expect(first.kind).toBe('settled');
    expect(first.kind === 'settled' && first.batch.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(ledger.settle('j1', ['a', 'b'])).toEqual({ kind: 'duplicate' });
    expect(ledger.openItems).toBe(0);
  });

  it('tells a job it never sent from a duplicate', () => {
    const ledger = new ResultLedger<{ id: string }>();
    expect(ledger.settle('elsewhere', ['x'])).toEqual({ kind: 'unknown' });
  });

  it('ignores a result that arrives after the batch was failed', () => {
    const ledger = new ResultLedger<{ id: string }>();
    ledger.add(batch('j1', ['a']));
    expect(ledger.fail('j1')?.items).toEqual([{ id: 'a' }]);
    expect(ledger.fail('j1')).toBeUndefined();
    expect(ledger.settle('j1', ['a']).kind).toBe('duplicate');
  });

  it('takes out a batch whose result lists other event ids', () => {
    const ledger = new ResultLedger<{ id: string }>();
    ledger.add(batch('j1', ['a', 'b']));
    const outcome = ledger.settle('j1', ['b', 'a']);
    expect(outcome.kind).toBe('mismatch');
    expect(ledger.openBatches).toBe(0);
    ledger.add(batch('j2', ['a', 'b']));
    expect(ledger.settle('j2', ['a']).kind).toBe('mismatch');
  });

  it('refuses a job id used twice', () => {
    const ledger = new ResultLedger<{ id: string }>();
    ledger.add(batch('j1', ['a']));
    expect(() => ledger.add(batch('j1', ['b']))).toThrow(/twice/);
  });

  it('lists open batches sent before a time, oldest first', () => {
    const ledger = new ResultLedger<{ id: string }>();
    ledger.add(batch('j1', ['a'], 10));
    ledger.add(batch('j2', ['b'], 20));
    ledger.add(batch('j3', ['c'], 30));
    ledger.settle('j1', ['a']);
    expect(ledger.overdue(25).map((b) => b.jobId)).toEqual(['j2']);
    expect(ledger.overdue(100).map((b) => b.jobId)).toEqual(['j2', 'j3']);
  });

  it('forgets the oldest settled ids beyond its memory, then calls them unknown', () => {
    const ledger = new ResultLedger<{ id: string }>(2);
    for (const id of ['j1', 'j2', 'j3']) {
      ledger.add(batch(id, ['x']));
      ledger.settle(id, ['x']);
    }
    expect(ledger.settle('j1', ['x']).kind).toBe('unknown');
    expect(ledger.settle('j3', ['x']).kind).toBe('duplicate');
  });

  it('drains every open batch', () => {
    const ledger = new ResultLedger<{ id: string }>();
    ledger.add(batch('j1', ['a']));
    ledger.add(batch('j2', ['b', 'c']));
    expect(ledger.drain().map((b) => b.jobId)).toEqual(['j1', 'j2']);
    expect(ledger.openItems).toBe(0);
  });
});
