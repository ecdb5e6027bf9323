// Router and CEL filter throughput: the three CEL libraries on routing expressions (parse once,
// evaluate many), and Router.match against evaluating every trigger, in one process run, on the
// `router` scenario's workload (bench/scenarios/router-workload.ts).
// Run: npx tsx bench/micro/router-filters.ts (prints JSON, saved under bench/results/micro/; ratios are
// what to compare; the open-loop harness's `router` scenario covers N = 10/100/1000 triggers)

import { Environment } from '@marcbachmann/cel-js';
import { CelScalar, celEnv, mapType, parse, plan } from '@bufbuild/cel';
import * as celJs from 'cel-js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { compileTriggerFilter, Router } from '../../src/router/index.js';
import { operationsPerSecond } from '../harness/closed-loop.js';
import { saveMicroBenchmark } from '../harness/micro-benchmark-output.js';
import { routerWorkload } from '../scenarios/router-workload.js';

/** The `router` scenario's workload; its event 3 (stream-1, level 3, a 111 gift) passes all three expressions. */
const workload = routerWorkload(200);
const event = workload.events[3] as LiveEvent;

/** Calls per second over half a second, after the harness's warm-up. */
function perSecond(run: (i: number) => unknown): number {
  return Math.round(operationsPerSecond(run, 500));
}

const expressions = [
  'event.data.gift.value >= 100',
  'event.type.startsWith("live.") && event.data.viewer.level >= 3',
  'event.stream == "stream-1" && event.data.text.contains("hello")',
];

const marc = new Environment().registerVariable('event', 'map');
const buf = celEnv({ variables: { event: mapType(CelScalar.STRING, CelScalar.DYN) } });
const context = { event };

const cel = expressions.map((expression) => {
  const marcProgram = marc.parse(expression);
  const bufProgram = plan(buf, parse(expression));
  let celJsRate: number | string;
  try {
    const cst = celJs.parse(expression);
    if (!cst.isSuccess) throw new Error('parse failed');
    celJs.evaluate(cst.cst, context);
    celJsRate = perSecond(() => celJs.evaluate(cst.cst, context));
  } catch (error) {
    celJsRate = `unsupported: ${(error as Error).message.split('\n')[0]}`;
  }
  const livepipe = compileTriggerFilter({ filters: [{ cel: expression }] });
  return {
    expression,
    evaluationsPerSecond: {
      '@marcbachmann/cel-js': perSecond(() => marcProgram(context)),
      '@bufbuild/cel': perSecond(() => bufProgram(context as never)),
      'cel-js': celJsRate,
      'livepipe cel filter (@bufbuild/cel)': perSecond(() => livepipe(event)),
    },
  };
});

/** Router.match through the type index against calling every trigger's compiled filter, on the scenario's 200 triggers. */
function routerAgainstEveryFilter() {
  const { triggers, events } = workload;
  const router = new Router(triggers.map((t) => t.trigger));
  const every = triggers.map((t) => compileTriggerFilter(t.trigger));
  const matchPerSecond = perSecond((i) => router.match(events[i & 63] as LiveEvent));
  const everyPerSecond = perSecond((i) => every.filter((test) => test(events[i & 63] as LiveEvent)));
  return {
    triggers: triggers.length,
    stats: router.stats,
    matchPerSecond,
    everyFilterPerSecond: everyPerSecond,
    ratio: +(matchPerSecond / everyPerSecond).toFixed(1),
  };
}

await saveMicroBenchmark('router-filters', {
  node: process.version,
  cel,
  router: routerAgainstEveryFilter(),
});
