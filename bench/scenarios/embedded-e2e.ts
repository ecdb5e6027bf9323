// Scenario 1, embedded end to end: events injected open-loop with pipeline.ingest() at their
// scheduled times → router → worker pool → overlay → a real WebSocket client. Ceiling: the same
// model in the same workers fed back-to-back; baseline: one main-thread inference per event.
import { performance } from 'node:perf_hooks';
import { httpSourceSchema } from '../../src/config/source-schemas.js';
import { LivePipeline } from '../../src/pipeline.js';
import { OpenLoopDriver } from '../harness/open-loop.js';
import { curveOf, p99AtHalf, profileThroughput, searchNotes, stagesAtHalf } from '../harness/throughput-profile.js';
import { summaryRow, type Scenario, type ScenarioResult } from '../harness/scenario.js';
import {
  benchPipelineSpec,
  CommentEvents,
  connectOverlayClient,
  overlayWsUrl,
  pipelineStages,
} from './bench-pipeline.js';
import { measureInferenceCeiling } from './inference-ceiling.js';
import { MainThreadBaseline } from './main-thread-baseline.js';

const MAX_RATE = 500_000;

export const embeddedE2e: Scenario = {
  name: 'embedded-e2e',
  title: 'Embedded pipeline end to end (ingest → router → pool → overlay client)',
  async run({ settings, progress }): Promise<ScenarioResult> {
    const started = performance.now();
    const spec = await benchPipelineSpec({ name: 'bench-ingest', http: httpSourceSchema.parse({ port: 0 }) });
    const model = spec.models[0]!;
    const budgetMs = spec.budgets.e2e;
    const events = new CommentEvents();

    progress.step('ceiling: model in worker threads, back-to-back');
    const ceiling = await measureInferenceCeiling({
      manifestPath: model.manifest,
      workers: model.workers,
      batchSizes: settings.mode === 'quick' ? [model.batch.maxSize, 128] : [1, 8, model.batch.maxSize, 128, 256],
      durationMs: settings.measureMs,
      texts: (i) => events.text(i),
      progress,
    });

    // Baseline: the straightforward main-thread implementation, same client, same load.
    const baseline = await MainThreadBaseline.start(model.manifest);
    const baselineDriver: OpenLoopDriver = new OpenLoopDriver({
      send: (seq) => void baseline.handle(String(seq), events.text(seq)),
    });
    const baselineClient = await connectOverlayClient(overlayWsUrl(baseline.url), (seq, at) =>
      baselineDriver.delivered(seq, at),
    );
    const baselineProfile = await profileThroughput(baselineDriver, {
      label: 'baseline',
      settings,
      progress,
      budgetMs,
      startRate: 1000,
      maxRate: MAX_RATE,
      warmupRate: 500,
    });
    baselineClient.close();
    await baseline.close();

    const pipeline = new LivePipeline(spec);
    await pipeline.start();
    const driver: OpenLoopDriver = new OpenLoopDriver({
      send: (seq, at) => void pipeline.ingest('bench-ingest', events.event(seq, at)),
    });
    const client = await connectOverlayClient(overlayWsUrl(pipeline.overlay.url), (seq, at) =>
      driver.delivered(seq, at),
    );
    let profile: Awaited<ReturnType<typeof profileThroughput>>;
    try {
      profile = await profileThroughput(driver, {
        label: 'pipeline',
        settings,
        progress,
        budgetMs,
        startRate: 2000,
        maxRate: MAX_RATE,
        warmupRate: 1000,
        stagesAfterStep: () => pipelineStages(pipeline),
      });
    } finally {
      client.close();
      await pipeline.stop();
    }

    const value = profile.search.maxRate;
    const row = summaryRow({
      scenario: 'embedded-e2e',
      variant: `pipeline, ${model.workers} workers, batch ≤ ${model.batch.maxSize}, maxDelay ${model.batch.maxDelay} ms`,
      unit: 'events/s',
      value,
      p99AtHalfMs: p99AtHalf(profile),
      baseline: baselineProfile.search.maxRate,
      ceiling: ceiling.itemsPerSecond,
    });
    return {
      scenario: 'embedded-e2e',
      title: this.title,
      status: 'ok',
      notes: [
        `Max sustainable: p99 e2e ≤ ${budgetMs} ms (the demo pipeline's budget) and ≥ 98 % delivered within each ${settings.stepMs} ms step.`,
        `Ceiling: ${model.workers} worker threads fed back-to-back at batch ${ceiling.bestBatch} (best of ${ceiling.byBatch.map((b) => b.maxBatch).join(', ')}).`,
        'Baseline: one onnxruntime run per event on the main thread, one ws send per result.',
        'The open-loop driver, the router and the ws client share the main thread with the pipeline (2 cores: workers compete with it).',
        ...searchNotes('pipeline', profile),
        ...searchNotes('baseline', baselineProfile),
      ],
      rows: [row],
      ratio: { toBaseline: row.ratioToBaseline ?? null, toCeiling: row.ratioToCeiling ?? null },
      measures: [
        {
          name: 'pipeline max sustainable',
          description: 'open-loop, p99 within the e2e budget, no backlog growth',
          value,
          unit: 'events/s',
        },
        {
          name: 'baseline max sustainable',
          description: 'main-thread ModelRunner, one inference per event',
          value: baselineProfile.search.maxRate,
          unit: 'events/s',
        },
        {
          name: 'inference ceiling',
          description: `InferencePool maxDelay 0, ${model.workers} workers, batch ${ceiling.bestBatch}, closed loop`,
          value: ceiling.itemsPerSecond,
          unit: 'items/s',
        },
      ],
      budgetMs,
      curves: [curveOf('pipeline', profile), curveOf('baseline', baselineProfile)],
      timeline: driver.timeline(),
      stages: stagesAtHalf(profile),
      profiles: { pipeline: profile, baseline: baselineProfile },
      details: { ceiling },
      durationMs: performance.now() - started,
    };
  },
};
