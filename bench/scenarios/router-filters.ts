// Scenario 4, the router: N triggers (exact type pins, exact and CEL conditions, some unpinned
// CEL) compiled once and matched through the type index, against evaluating the same filters
// with @bufbuild/cel directly, parsing each time (baseline), and calling only the candidate
// triggers' compiled filters with no router around them (ceiling). Events/s on one core.
import { performance } from 'node:perf_hooks';
import { CelScalar, celEnv, mapType, parse, plan } from '@bufbuild/cel';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { compileTriggerFilter, Router } from '../../src/router/index.js';
import { operationsPerSecond } from '../harness/closed-loop.js';
import { summaryRow, type Measure, type Scenario, type ScenarioResult, type SummaryRow } from '../harness/scenario.js';
import { routerWorkload } from './router-workload.js';

export const routerFilters: Scenario = {
  name: 'router',
  title: 'Router: N compiled triggers vs parsing CEL per event',
  async run({ settings, progress }): Promise<ScenarioResult> {
    const started = performance.now();
    const counts = [10, 100, 1000];
    const env = celEnv({ variables: { event: mapType(CelScalar.STRING, CelScalar.DYN) } });
    const rows: SummaryRow[] = [];
    const measures: Measure[] = [];
    const details: Record<string, unknown> = {};
    for (const count of counts) {
      const { triggers, events } = routerWorkload(count);
      const router = new Router(triggers.map((t) => t.trigger));
      const routed = operationsPerSecond((i) => router.match(events[i & 63] as LiveEvent), settings.measureMs);

      // Ceiling: an oracle that knows each event's candidates and calls their compiled filters directly.
      const compiled = triggers.map((t) => ({ type: t.type, test: compileTriggerFilter(t.trigger) }));
      const candidates = events.map((event) =>
        compiled.filter((c) => c.type === undefined || c.type === event.type).map((c) => c.test),
      );
      const oracle = operationsPerSecond((i) => {
        const list = candidates[i & 63]!;
        let matched = 0;
        for (const test of list) if (test(events[i & 63] as LiveEvent)) matched++;
        return matched;
      }, settings.measureMs);

      // Baseline: the same filters as CEL, parsed, planned and evaluated for every event and trigger.
      const baseline = operationsPerSecond(
        (i) => {
          const context = { event: events[i & 63] } as never;
          let matched = 0;
          for (const t of triggers) {
            try {
              if (plan(env, parse(t.cel))(context) === true) matched++;
            } catch {
              // A filter that errors does not pass (Knative semantics), as in the router.
            }
          }
          return matched;
        },
        Math.min(settings.measureMs, 600),
        50,
      );

      progress.step(
        `N=${count}: router ${Math.round(routed)}/s, oracle ${Math.round(oracle)}/s, parse-each-time ${Math.round(baseline)}/s`,
      );
      // Ratios from the measured rates: the baseline runs a few events/s at N=1000, where rounding would move them by 10 %.
      rows.push(
        summaryRow({
          scenario: 'router',
          variant: `${count} triggers (exact + CEL)`,
          unit: 'events/s',
          value: round1(routed),
          p99AtHalfMs: undefined,
          baseline: round1(baseline),
          ceiling: round1(oracle),
        }),
      );
      measures.push(
        {
          name: `N=${count} Router.match`,
          description: 'compiled filters, type index',
          value: Math.round(routed),
          unit: 'events/s',
        },
        {
          name: `N=${count} parse each time`,
          description: '@bufbuild/cel parse+plan+eval per trigger per event',
          value: Math.round(baseline),
          unit: 'events/s',
        },
        {
          name: `N=${count} oracle`,
          description: 'only the candidate triggers, compiled, no router',
          value: Math.round(oracle),
          unit: 'events/s',
        },
      );
      details[`n${count}`] = { stats: router.stats, routed, oracle, baseline };
    }
    const first = rows[0]!;
    return {
      scenario: 'router',
      title: this.title,
      status: 'ok',
      notes: [
        'Single thread, closed loop (events/s per core). Triggers: 90 % pinned to one of N/10 types (half with a CEL condition on data), 10 % unpinned CEL; 1 in 8 events has an unpinned type.',
        "Ceiling: an oracle that already knows each event's candidate triggers and calls their compiled filters (the router's cost above it is the index lookup and result list).",
      ],
      rows,
      ratio: { toBaseline: first.ratioToBaseline ?? null, toCeiling: first.ratioToCeiling ?? null },
      measures,
      curves: [],
      details,
      durationMs: performance.now() - started,
    };
  },
};

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
