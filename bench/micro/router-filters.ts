// Router and CEL filter throughput: the three CEL libraries on routing expressions (parse once,
// evaluate many), and Router.match against evaluating every trigger, in one process run.
// Run: npx tsx bench/micro/router-filters.ts (prints JSON, saved under bench/results/micro/; ratios are
// what to compare; the open-loop harness's `router` scenario covers N = 10/100/1000 triggers)

import { Environment } from '@marcbachmann/cel-js';
import { CelScalar, celEnv, mapType, parse, plan } from '@bufbuild/cel';
import * as celJs from 'cel-js';
import { compileTriggerFilter, Router, type RouterTrigger } from '../../src/router/index.js';
import { operationsPerSecond } from '../harness/closed-loop.js';
import { saveMicroBenchmark } from '../harness/micro-benchmark-output.js';

const event = {
  specversion: '1.0',
  id: 'e1',
  type: 'live.gift',
  source: '/streams/stream-1',
  stream: 'stream-1',
  ingesttime: 1_700_000_000_000,
  data: { viewer: { level: 5, name: 'ana' }, gift: { value: 120, name: 'rose' }, text: 'hello there' },
};

/** Calls per second over half a second, after the harness's warm-up. */
function perSecond(run: () => unknown): number {
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
      '@bufbuild/cel': perSecond(() => bufProgram(context)),
      'cel-js': celJsRate,
      'livepipe cel filter (@bufbuild/cel)': perSecond(() => livepipe(event)),
    },
  };
});

/** 200 triggers: 190 pinned to one of 95 types (with or without a CEL condition), 10 any type may pass. */
function routerScenario(withCel: boolean) {
  const triggers: RouterTrigger<number>[] = [];
  for (let i = 0; i < 190; i++) {
    const filters = [
      { exact: { type: `live.t${i % 95}` } },
      withCel ? { cel: 'event.data.gift.value >= 100' } : { exact: { stream: 'stream-1' } },
    ];
    triggers.push({ name: `t${i}`, target: i, filters });
  }
  for (let i = 190; i < 200; i++)
    triggers.push({ name: `t${i}`, target: i, filters: [{ prefix: { source: `/streams/stream-${i % 3}` } }] });
  const router = new Router(triggers);
  const naive = triggers.map((t) => compileTriggerFilter(t));
  const routed = { ...event, type: 'live.t7' };
  const matchPerSecond = perSecond(() => router.match(routed));
  const naivePerSecond = perSecond(() => naive.filter((test) => test(routed)));
  return {
    triggers: triggers.length,
    withCel,
    stats: router.stats,
    matchPerSecond,
    naivePerSecond,
    ratio: +(matchPerSecond / naivePerSecond).toFixed(1),
  };
}

await saveMicroBenchmark('router-filters', {
  node: process.version,
  cel,
  router: [routerScenario(false), routerScenario(true)],
});
