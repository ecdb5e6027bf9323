import { describe, expect, it } from 'vitest';
import { Admission } from '../../../../src/workers/pool/admission.js';

describe('Admission', () => {
  it('is full once the pending items reach queueLimit', () => {
    const admission = new Admission(4);
    expect(admission.isFull(3)).toBe(false);
    expect(admission.isFull(4)).toBe(true);
  });

  it('asks sources to wait from 3/4 of queueLimit and lets them go at half', async () => {
    const admission = new Admission(40);
    expect(admission.whenCapacity(29, true)).toBeUndefined();
    const wait = admission.whenCapacity(30, true);
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void wait!.then(() => (released = true));
    admission.release(21, true);
    await Promise.resolve();
    expect(released).toBe(false);
    admission.release(20, true);
    await Promise.resolve();
    expect(released).toBe(true);
  });

  it('never holds a source back once the pool stops accepting', async () => {
    const admission = new Admission(8);
    expect(admission.whenCapacity(8, false)).toBeUndefined();
    const wait = admission.whenCapacity(8, true)!;
    admission.release(8, false);
    await expect(wait).resolves.toBeUndefined();
  });

  it('rejects a queueLimit that is not a positive integer', () => {
    expect(() => new Admission(0)).toThrow(/queueLimit must be an integer >= 1, got 0/);
    expect(() => new Admission(2.5)).toThrow(/queueLimit/);
  });
});
