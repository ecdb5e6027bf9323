// A pool's measured cold starts (a worker's spawn → serving time): how many, their mean and the
// last, each reported to onColdStart as it happens. The autoscaler predicts activation with the mean.

export interface ColdStartStats {
  coldStarts: number;
  meanColdStartMs: number;
  lastColdStartMs: number;
}

export class ColdStarts {
  private readonly onColdStart: ((ms: number) => void) | undefined;
  private count = 0;
  private totalMs = 0;
  private lastMs = 0;

  constructor(onColdStart?: (ms: number) => void) {
    this.onColdStart = onColdStart;
  }

  record(ms: number): void {
    this.count++;
    this.totalMs += ms;
    this.lastMs = ms;
    this.onColdStart?.(ms);
  }

  /** The mean so far; undefined before the first. */
  meanMs(): number | undefined {
    return this.count === 0 ? undefined : this.totalMs / this.count;
  }

  stats(): ColdStartStats {
    return { coldStarts: this.count, meanColdStartMs: this.meanMs() ?? 0, lastColdStartMs: this.lastMs };
  }
}
