// Closed-loop throughput of a synchronous operation (router match, a filter): calls in a tight
// loop for a fixed time after a warm-up, so a slow variant costs the same wall time as a fast one.
import { performance } from 'node:perf_hooks';

/** Operations per second of `operation`, run for about `durationMs` after `warmupMs`. */
export function operationsPerSecond(
  operation: (i: number) => unknown,
  durationMs: number,
  warmupMs = Math.min(200, durationMs / 4),
): number {
  const run = (ms: number): { count: number; elapsed: number } => {
    const started = performance.now();
    let count = 0;
    let batch = 1;
    for (;;) {
      for (let i = 0; i < batch; i++) operation(count + i);
      count += batch;
      const elapsed = performance.now() - started;
      if (elapsed >= ms) return { count, elapsed };
      // Grow batches until one takes ~1 ms, so the clock is read rarely.
      if (elapsed < 1) batch *= 2;
    }
  };
  run(warmupMs);
  const { count, elapsed } = run(durationMs);
  return (count / elapsed) * 1000;
}
