// An HDR-style latency histogram: log-linear buckets (64 linear sub-buckets per power of two over
// nanoseconds), so every recorded value is reported within 1 % (midpoint of its bucket), in a few
// KB whatever the count. Histograms with the same layout merge by adding counts (per step, per run).

/** Sub-buckets per power of two; the midpoint of a bucket is within 1/(2·64) < 1 % of any value in it. */
const SUB_BUCKETS = 64;
/** Values below this many ns get one bucket each (exact). */
const LINEAR_LIMIT = 2 * SUB_BUCKETS;
/** Highest trackable value: 2^42 ns ≈ 73 minutes; larger values are clamped into the top bucket. */
const MAX_EXPONENT = 42;
const BUCKET_COUNT = LINEAR_LIMIT + (MAX_EXPONENT - 7 + 1) * SUB_BUCKETS;

/** The percentiles every report carries, as fractions. */
export const REPORTED_QUANTILES = [0.5, 0.9, 0.99, 0.999] as const;

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class LatencyHistogram {
  /** Largest relative error of a reported percentile (min and max are exact). */
  static readonly relativeError = 1 / (2 * SUB_BUCKETS);
  private readonly counts = new Float64Array(BUCKET_COUNT);
  private total = 0;
  private sumMs = 0;
  private min = Infinity;
  private max = -Infinity;

  /** Records one latency in milliseconds (negative values count as 0). */
  record(ms: number): void {
    // biome-ignore lint/complexity/useMathMinMax: a NaN must count as 0 too, which Math.max(ms, 0) would not do
    const value = ms > 0 ? ms : 0;
    const bucket = bucketOf(Math.round(value * 1e6));
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.total++;
    this.sumMs += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get count(): number {
    return this.total;
  }

  get maxMs(): number {
    return this.total === 0 ? Number.NaN : this.max;
  }

  get minMs(): number {
    return this.total === 0 ? Number.NaN : this.min;
  }

  get meanMs(): number {
    return this.total === 0 ? Number.NaN : this.sumMs / this.total;
  }

  /** Adds another histogram's observations to this one. */
  merge(other: LatencyHistogram): this {
    for (let i = 0; i < BUCKET_COUNT; i++) this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
    this.total += other.total;
    this.sumMs += other.sumMs;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  /**
   * Nearest-rank percentile (q in 0..1) in ms, within relativeError of the true value, clamped to
   * the exact min and max; NaN when empty.
   */
  percentile(q: number): number {
    if (this.total === 0) return Number.NaN;
    return this.valueAtRank(Math.max(1, Math.ceil(q * this.total)));
  }

  /** The value of the rank-th smallest observation (1-based), approximately as percentile(). */
  valueAtRank(rank: number): number {
    if (this.total === 0) return Number.NaN;
    if (rank >= this.total) return this.max;
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, midpointNs(i) / 1e6));
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      minMs: round3(this.minMs),
      meanMs: round3(this.meanMs),
      p50Ms: round3(this.percentile(0.5)),
      p90Ms: round3(this.percentile(0.9)),
      p99Ms: round3(this.percentile(0.99)),
      p999Ms: round3(this.percentile(0.999)),
      maxMs: round3(this.maxMs),
    };
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sumMs = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

function bucketOf(ns: number): number {
  if (ns < LINEAR_LIMIT) return ns;
  let exponent = Math.floor(Math.log2(ns));
  // log2 of a float can land one off at exact powers of two.
  if (2 ** exponent > ns) exponent--;
  else if (2 ** (exponent + 1) <= ns) exponent++;
  if (exponent > MAX_EXPONENT) return BUCKET_COUNT - 1;
  const shift = exponent - 6;
  return LINEAR_LIMIT + (exponent - 7) * SUB_BUCKETS + (Math.floor(ns / 2 ** shift) - SUB_BUCKETS);
}

function midpointNs(bucket: number): number {
  if (bucket < LINEAR_LIMIT) return bucket;
  const exponent = 7 + Math.floor((bucket - LINEAR_LIMIT) / SUB_BUCKETS);
  const sub = SUB_BUCKETS + ((bucket - LINEAR_LIMIT) % SUB_BUCKETS);
  const width = 2 ** (exponent - 6);
  return sub * width + (width - 1) / 2;
}

function round3(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : value;
}
