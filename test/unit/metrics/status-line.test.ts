import { describe, expect, it } from 'vitest';
import { formatStatus, STAGES, type StatusSnapshot, type StageStatus } from '../../../src/metrics/index.js';

function snapshot(
  overrides: Partial<StatusSnapshot> = {},
  stages: Partial<Record<string, Partial<StageStatus>>> = {},
): StatusSnapshot {
  const all = Object.fromEntries(
    STAGES.map((stage) => [stage, { p50: NaN, p99: NaN, budgetMs: 10, breaches: 0, samples: 0, ...stages[stage] }]),
  ) as StatusSnapshot['stages'];
  return {
    inPerSec: 0,
    outPerSec: 0,
    droppedTotal: 0,
    stages: all,
    breachesTotal: 0,
    workersBusy: 0,
    workers: 0,
    ...overrides,
  };
}

describe('formatStatus', () => {
  it('shows throughput, the stages that ran with p50/p99 against budget, breaches and workers', () => {
    const line = formatStatus(
      snapshot(
        { inPerSec: 312.4, outPerSec: 7.25, droppedTotal: 3, breachesTotal: 12, workersBusy: 1, workers: 2 },
        {
          route: { p50: 0.034, p99: 0.41, budgetMs: 2, samples: 500 },
          infer: { p50: 4.26, p99: 38.7, budgetMs: 40, breaches: 12, samples: 90 },
        },
      ),
    );
    expect(line).toBe(
      'in 312/s out 7.3/s | route p50 0.03 p99 0.41/2.0ms | infer p50 4.3 p99 39/40ms | breaches 12 (infer 12) | dropped 3 | workers 1/2 busy',
    );
  });

  it('omits stages with no samples and the breach breakdown when there are none', () => {
    const line = formatStatus(snapshot({ inPerSec: 0.5 }));
    expect(line).toBe('in 0.5/s out 0.0/s | breaches 0 | dropped 0 | workers 0/0 busy');
  });

  it('names the model and version each pool runs, so a fallback model shows', () => {
    const line = formatStatus(
      snapshot({
        workersBusy: 1,
        workers: 3,
        pools: [
          { pool: 'chat-sentiment', model: 'chat-sentiment', version: '1.0.0', busy: 1, workers: 2 },
          {
            pool: 'chat-sentiment-zh',
            model: 'chat-sentiment-mlp',
            version: '1.0.0',
            fallback: true,
            busy: 0,
            workers: 1,
          },
        ],
      }),
    );
    expect(line).toBe(
      'in 0.0/s out 0.0/s | breaches 0 | dropped 0 | workers 1/3 busy: chat-sentiment runs chat-sentiment 1.0.0 1/2, chat-sentiment-zh runs FALLBACK chat-sentiment-mlp 1.0.0 0/1',
    );
  });
});
