// Maximum sustainable throughput: the highest offered rate at which p99 stays within the latency
// budget and the system keeps up (delivered ≥ minDeliveredRatio of offered over the step). An
// exponential ramp finds a bracket, a binary search narrows it; each probe is one short run.

export interface RateProbe {
  /** Offered rate, events/s. */
  rate: number;
  offered: number;
  delivered: number;
  /** p99 latency over the offered events (Infinity when more than 1 % were not delivered in the step). */
  p99Ms: number;
}

export type ProbedRate<P extends RateProbe = RateProbe> = P & {
  sustainable: boolean;
  phase: 'ramp' | 'descend' | 'bisect';
};

export interface RateSearchOptions<P extends RateProbe = RateProbe> {
  startRate: number;
  /** Never offer more than this; the result says when it was the limit. */
  maxRate: number;
  /** Give up descending below this rate (result 0). */
  minRate?: number;
  /** Ramp multiplier (default 2). */
  growth?: number;
  /** Stop bisecting once (bad − good) / good is below this (default 0.1). */
  relativePrecision?: number;
  /** At most this many probes in all (default 12). */
  maxProbes?: number;
  budgetMs: number;
  /** Default 0.98. */
  minDeliveredRatio?: number;
  /**
   * Re-run a failing probe this many times before calling the rate unsustainable (default 1): on a
   * shared machine one stall of a neighbour's process can spoil the p99 of a short step.
   */
  confirmFailures?: number;
  /** Called after each probe (progress). */
  onProbe?: (probe: ProbedRate<P>) => void;
}

export interface RateSearchResult<P extends RateProbe = RateProbe> {
  /** Highest rate found sustainable (0 when none was). */
  maxRate: number;
  /** What ended the search. */
  limitedBy: 'knee' | 'max-rate' | 'min-rate' | 'probe-limit';
  /** The lowest rate found unsustainable (undefined when none was). */
  firstFailingRate: number | undefined;
  probes: Array<ProbedRate<P>>;
}

export function isSustainable(probe: RateProbe, budgetMs: number, minDeliveredRatio = 0.98): boolean {
  if (probe.offered === 0) return false;
  return probe.p99Ms <= budgetMs && probe.delivered >= minDeliveredRatio * probe.offered;
}

export async function searchMaxSustainableRate<P extends RateProbe>(
  run: (rate: number) => Promise<P>,
  options: RateSearchOptions<P>,
): Promise<RateSearchResult<P>> {
  const growth = options.growth ?? 2;
  const precision = options.relativePrecision ?? 0.1;
  const maxProbes = options.maxProbes ?? 12;
  const minRate = options.minRate ?? 1;
  if (!(options.startRate > 0) || !(options.maxRate >= options.startRate) || !(growth > 1)) {
    throw new RangeError(
      `rate search needs 0 < startRate <= maxRate and growth > 1 (got ${options.startRate}, ${options.maxRate}, ${growth})`,
    );
  }
  const probes: Array<ProbedRate<P>> = [];
  const confirmFailures = options.confirmFailures ?? 1;
  const probe = async (rate: number, phase: ProbedRate['phase']): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      const measured = await run(rate);
      const probed: ProbedRate<P> = {
        ...measured,
        sustainable: isSustainable(measured, options.budgetMs, options.minDeliveredRatio),
        phase,
      };
      probes.push(probed);
      options.onProbe?.(probed);
      if (probed.sustainable || attempt >= confirmFailures || probes.length >= maxProbes) return probed.sustainable;
    }
  };

  let good: number | undefined;
  let bad: number | undefined;
  let rate = options.startRate;
  // Ramp up while the system keeps up.
  while (probes.length < maxProbes) {
    if (await probe(rate, good === undefined && probes.length > 0 ? 'descend' : 'ramp')) {
      good = rate;
      if (rate >= options.maxRate) return { maxRate: good, limitedBy: 'max-rate', firstFailingRate: bad, probes };
      if (bad !== undefined) break;
      rate = Math.min(options.maxRate, rate * growth);
    } else {
      bad = rate;
      if (good !== undefined) break;
      // The start rate was already too much: come down until something holds.
      rate = rate / growth;
      if (rate < minRate) return { maxRate: 0, limitedBy: 'min-rate', firstFailingRate: bad, probes };
    }
  }
  if (good === undefined || bad === undefined) {
    return { maxRate: good ?? 0, limitedBy: 'probe-limit', firstFailingRate: bad, probes };
  }
  while ((bad - good) / good > precision) {
    if (probes.length >= maxProbes) return { maxRate: good, limitedBy: 'probe-limit', firstFailingRate: bad, probes };
    const middle = Math.round((good + bad) / 2);
    if (await probe(middle, 'bisect')) good = middle;
    else bad = middle;
  }
  return { maxRate: good, limitedBy: 'knee', firstFailingRate: bad, probes };
}
