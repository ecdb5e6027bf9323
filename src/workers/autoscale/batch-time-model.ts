// The learned cost of a batch, t(n) ≈ a·n + b (ms), fit by exponentially weighted least squares
// over recent batches and pulled towards a conservative prior, so that a few batches of one size
// never leave the fit undetermined. The batcher and the autoscaler predict with it.

export interface BatchTimePrior {
  /** ms per item */
  perItemMs: number;
  /** ms per batch, whatever its size (messaging, session call) */
  fixedMs: number;
}

/** Deliberately pessimistic for a small CPU model: predicting too slow flushes early, never late. */
const PRIOR_FLOOR = 0.01;

export const DEFAULT_BATCH_TIME_PRIOR: BatchTimePrior = { perItemMs: 0.25, fixedMs: 2 };

export class BatchTimeModel {
  private sumW = 0;
  private sumX = 0;
  private sumY = 0;
  private sumXX = 0;
  private sumXY = 0;
  private a: number;
  private b: number;
  private observations = 0;

  /**
   * @param decay weight kept by older batches at each new one (0.95: about the last 20 batches)
   * @param priorWeight how many batches' worth of evidence the prior counts for
   */
  constructor(
    readonly prior: BatchTimePrior = DEFAULT_BATCH_TIME_PRIOR,
    readonly decay = 0.95,
    readonly priorWeight = 2,
  ) {
    this.a = prior.perItemMs;
    this.b = prior.fixedMs;
  }

  get perItemMs(): number {
    return this.a;
  }

  get fixedMs(): number {
    return this.b;
  }

  get count(): number {
    return this.observations;
  }

  /** Predicted time of a batch of n items (ms). */
  predict(n: number): number {
    return Math.max(0, this.a * n + this.b);
  }

  observe(size: number, ms: number): void {
    const d = this.decay;
    this.sumW = this.sumW * d + 1;
    this.sumX = this.sumX * d + size;
    this.sumY = this.sumY * d + ms;
    this.sumXX = this.sumXX * d + size * size;
    this.sumXY = this.sumXY * d + size * ms;
    this.observations++;
    this.refit();
  }

  /**
   * Ridge regression towards the prior: minimise Σw(y − a·x − b)² + λ(a − a₀)²·x̄² + λ(b − b₀)²,
   * with λ starting at priorWeight and decaying as the batches' weights do. The x̄² scaling keeps both penalties in ms² whatever the batch sizes.
   */
  private refit(): void {
    // The prior fades like an old batch; a small floor keeps batches of a single size solvable.
    const lambda = this.priorWeight * this.decay ** this.observations + PRIOR_FLOOR;
    const meanX = this.sumX / this.sumW;
    const lambdaA = lambda * Math.max(1, meanX * meanX);
    const lambdaB = lambda;
    const m11 = this.sumXX + lambdaA;
    const m12 = this.sumX;
    const m22 = this.sumW + lambdaB;
    const r1 = this.sumXY + lambdaA * this.prior.perItemMs;
    const r2 = this.sumY + lambdaB * this.prior.fixedMs;
    const det = m11 * m22 - m12 * m12;
    if (!(Math.abs(det) > 1e-12)) return;
    let a = (r1 * m22 - m12 * r2) / det;
    let b = (m11 * r2 - m12 * r1) / det;
    // Negative slopes or intercepts are noise; keep the line physical and through the mean.
    if (a < 0) {
      a = 0;
      b = (this.sumY + lambdaB * this.prior.fixedMs) / m22;
    }
    if (b < 0) {
      b = 0;
      a = Math.max(0, r1 / m11);
    }
    this.a = a;
    this.b = b;
  }
}
