import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { budgetsSchema } from '../../../src/config/schema.js';
import { PipelineMetrics, STAGES } from '../../../src/metrics/index.js';

const budgets = budgetsSchema.parse({ source: 5, route: 2, queue: 40, infer: 40, push: 10, e2e: 120 });

async function metricValue(
  metrics: PipelineMetrics,
  name: string,
  labels: Record<string, string>,
  suffix = '',
): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.find(
    (v) =>
      (suffix === '' || (v as { metricName?: string }).metricName === `${name}${suffix}`) &&
      Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x),
  )?.value;
}

describe('PipelineMetrics and LatencyBudget', () => {
  it('counts exactly the observations above each stage budget', async () => {
    const metrics = new PipelineMetrics(budgets, { defaultMetrics: false });
    const observations: Array<[(typeof STAGES)[number], number]> = [];
    let seed = 5;
    for (let i = 0; i < 3000; i++) {
      seed = (seed * 48271) % 2147483647;
      const stage = STAGES[i % STAGES.length]!;
      observations.push([stage, (seed / 2147483647) * 2.5 * budgets[stage]]);
    }
    observations.push(['route', 2], ['route', 2.0001]); // at the budget is not a breach; above is
    for (const [stage, ms] of observations) metrics.observe(stage, ms);
    for (const stage of STAGES) {
      const expected = observations.filter(([s, ms]) => s === stage && ms > budgets[stage]).length;
      expect(expected).toBeGreaterThan(0);
      expect(metrics.budget.breachesOf(stage)).toBe(expected);
      expect(await metricValue(metrics, 'livepipe_budget_breaches_total', { stage })).toBe(expected);
    }
  });

  it('records stage durations in seconds in the histogram', async () => {
    const metrics = new PipelineMetrics(budgets, { defaultMetrics: false });
    metrics.observe('infer', 3); // 0.003 s
    metrics.observe('infer', 30);
    metrics.observe('infer', 3000);
    metrics.observe('push', 0.05);
    const name = 'livepipe_stage_duration_seconds';
    expect(await metricValue(metrics, name, { stage: 'infer' }, '_count')).toBe(3);
    expect(await metricValue(metrics, name, { stage: 'infer' }, '_sum')).toBeCloseTo(3.033, 9);
    expect(await metricValue(metrics, name, { stage: 'infer', le: '0.005' }, '_bucket')).toBe(1);
    expect(await metricValue(metrics, name, { stage: 'infer', le: '2.5' }, '_bucket')).toBe(2);
    expect(await metricValue(metrics, name, { stage: 'push', le: '0.0001' }, '_bucket')).toBe(1);
  });

  it('keeps registries of separate instances apart', async () => {
    const a = new PipelineMetrics(budgets);
    const b = new PipelineMetrics(budgets);
    a.eventIn('demo', 5);
    b.eventIn('demo', 2);
    expect(await metricValue(a, 'livepipe_events_in_total', { source: 'demo' })).toBe(5);
    expect(await metricValue(b, 'livepipe_events_in_total', { source: 'demo' })).toBe(2);
  });

  it('reports events/s since the previous status line, percentiles, breaches and workers', () => {
    let now = 0;
    const metrics = new PipelineMetrics(budgets, { defaultMetrics: false, now: () => now });
    now = 2000;
    metrics.eventIn('demo', 400);
    metrics.eventOut('overlay:comments', 100);
    for (let i = 1; i <= 100; i++) metrics.observe('route', i / 10); // 0.1 .. 10 ms; 80 over 2 ms
    metrics.observePool('chat-sentiment', { workers: 2, busy: 1, queueDepth: 7 });
    const first = metrics.snapshot();
    expect(first.inPerSec).toBe(200);
    expect(first.outPerSec).toBe(50);
    expect(first.stages.route.p50).toBeCloseTo(5);
    expect(first.stages.route.p99).toBeCloseTo(9.9);
    expect(first.stages.route.breaches).toBe(80);
    expect(first.breachesTotal).toBe(80);
    expect(first.stages.infer.samples).toBe(0);
    expect([first.workersBusy, first.workers]).toEqual([1, 2]);
    now = 3000;
    metrics.eventIn('demo', 10);
    const second = metrics.snapshot({ busy: 3, workers: 4 });
    expect(second.inPerSec).toBe(10);
    expect(second.outPerSec).toBe(0);
    expect([second.workersBusy, second.workers]).toEqual([3, 4]);
    expect(metrics.statusLine()).toContain('in 0.0/s');
  });

  it('counts tokens per batch and the padding, per model', async () => {
    const metrics = new PipelineMetrics(budgets, { defaultMetrics: false });
    // A batch of 3 items of 5, 6 and 12 tokens padded to 12; then one of 2 items of 8.
    metrics.batchTokenCounts('minilm', 23, 36);
    metrics.batchTokenCounts('minilm', 16, 16);
    const text = await metrics.registry.metrics();
    expect(text).toContain('livepipe_batch_padded_tokens_bucket{le="16",model="minilm"} 1');
    expect(text).toContain('livepipe_batch_padded_tokens_bucket{le="64",model="minilm"} 2');
    expect(text).toContain('livepipe_batch_padded_tokens_sum{model="minilm"} 52');
    expect(text).toContain('livepipe_batch_tokens_total{model="minilm",kind="real"} 39');
    expect(text).toContain('livepipe_batch_tokens_total{model="minilm",kind="padding"} 13');
  });

  it('serves the registry in the Prometheus text format', async () => {
    const metrics = new PipelineMetrics(budgets);
    metrics.observe('e2e', 200);
    metrics.dropped('budget-shed');
    metrics.filterError('big-gift-alerts');
    metrics.batch('chat-sentiment', 12);
    metrics.observePool('chat-sentiment', { workers: 2, busy: 2, queueDepth: 3 });
    const server = http.createServer((req, res) => void metrics.metricsHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(metrics.registry.contentType);
      const text = await response.text();
      expect(text).toContain('livepipe_stage_duration_seconds_bucket{le="0.25",stage="e2e"} 1');
      expect(text).toContain('livepipe_budget_breaches_total{stage="e2e"} 1');
      expect(text).toContain('livepipe_budget_breaches_total{stage="route"} 0');
      expect(text).toContain('livepipe_events_dropped_total{reason="budget-shed"} 1');
      expect(text).toContain('livepipe_filter_errors_total{trigger="big-gift-alerts"} 1');
      expect(text).toContain('livepipe_batch_size_count{model="chat-sentiment"} 1');
      expect(text).toContain('livepipe_workers_busy{model="chat-sentiment"} 2');
      expect(text).toContain('livepipe_queue_depth{model="chat-sentiment"} 3');
      expect(text).toContain('process_cpu_seconds_total');
      const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' });
      expect(post.status).toBe(405);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
