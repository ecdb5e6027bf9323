// The LivepipeError a promise rejects with; fails the test when it resolves or rejects otherwise.
import { expect } from 'vitest';
import { LivepipeError } from '../../src/errors.js';

export async function livepipeErrorOf(promise: Promise<unknown>): Promise<LivepipeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LivepipeError);
  return error as LivepipeError;
}
