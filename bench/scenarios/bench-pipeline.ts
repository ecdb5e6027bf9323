// What the end-to-end scenarios share: the pipeline under test (the demo's model, budgets and
// batching, with the bench's own source), comment events from the InteractionSimulator, and a
// real WebSocket overlay client that reports each result's arrival to the open-loop driver.
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { generatorSchema, loadPipeline, type Pipeline, type SourceSpec } from '../../src/config/index.js';
import { INGEST_TIME, type LiveEvent } from '../../src/events/cloudevent.js';
import { STAGES } from '../../src/metrics/stages.js';
import type { LivePipeline } from '../../src/pipeline.js';
import { InteractionSimulator } from '../../src/sources/generator.js';
import { preciseNow } from '../harness/open-loop.js';
import type { StageLatency } from '../harness/scenario.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEMO_PIPELINE = fileURLToPath(new URL('../../pipelines/live-interaction.yaml', import.meta.url));
/** The room every bench event goes to (the simulator with one stream). */
export const BENCH_STREAM = 'stream-1';

/**
 * The demo pipeline's model (workers, batching, queue limit) and budgets, fed by `source`:
 * comments → model → result → overlay channel "comments". Overlay on a free port, no status lines.
 */
export async function benchPipelineSpec(source: SourceSpec): Promise<Pipeline> {
  const demo = await loadPipeline(DEMO_PIPELINE);
  const model = demo.models[0];
  if (model === undefined)
    throw new Error(`${DEMO_PIPELINE} declares no model; the e2e benchmarks measure its first model`);
  return {
    ...demo,
    metadata: { name: 'bench', description: 'livepipe benchmark pipeline' },
    sources: [source],
    models: [model],
    triggers: [
      { name: 'comments-to-model', filters: [{ exact: { type: 'live.comment' } }], subscriber: { model: model.name } },
      {
        name: 'results-to-overlay',
        filters: [{ exact: { type: model.resultType ?? `ai.${model.name}.result` } }],
        subscriber: { overlay: 'comments' },
      },
    ],
    aggregations: [],
    overlay: { ...demo.overlay, port: 0, snapshotSize: 0 },
    metrics: { statusEvery: 0 },
  };
}

/** Chat comments from the InteractionSimulator, precomputed once; each send gets a fresh id. */
export class CommentEvents {
  private readonly templates: LiveEvent[] = [];

  constructor(count = 4096, seed = 7) {
    const spec = generatorSchema.parse({
      seed,
      streams: 1,
      rate: 1000,
      mix: { comment: 1, like: 0, gift: 0, vote: 0, join: 0 },
      randomSurges: { every: 0 },
    });
    const simulator = new InteractionSimulator(spec);
    for (let i = 0; i < count; i++) this.templates.push(simulator.next().event);
  }

  /** Event `seq` (id = seq, so the result's causeid maps back to it) stamped with its scheduled time. */
  event(seq: number, scheduledAtMs: number): LiveEvent {
    const template = this.templates[seq % this.templates.length] as LiveEvent;
    return { ...template, id: String(seq), [INGEST_TIME]: Math.floor(scheduledAtMs) };
  }

  text(seq: number): string {
    return (this.templates[seq % this.templates.length]!.data as { text: string }).text;
  }
}

/**
 * A real overlay WebSocket client: every `message` frame whose data names a causeid reports that
 * event's arrival (receive time) through `onDelivered`.
 */
export async function connectOverlayClient(
  wsUrl: string,
  onDelivered: (seq: number, atMs: number) => void,
): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl);
  socket.on('message', (raw: WebSocket.RawData) => {
    const at = preciseNow();
    const frame = JSON.parse(raw.toString()) as { kind?: string; data?: { causeid?: unknown } };
    if (frame.kind !== 'message') return;
    const cause = frame.data?.causeid;
    if (cause !== undefined) onDelivered(Number(cause), at);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

export function overlayWsUrl(httpUrl: string, stream = BENCH_STREAM): string {
  return `${httpUrl.replace(/^http/, 'ws')}/ws?stream=${encodeURIComponent(stream)}`;
}

/** The pipeline's own per-stage p50/p99 over its recent observations, with each stage's budget. */
export function pipelineStages(pipeline: LivePipeline): Record<string, StageLatency> {
  const stages: Record<string, StageLatency> = {};
  for (const stage of STAGES) {
    const [p50, p99] = pipeline.metrics.budget.percentiles(stage, [50, 99]) as [number, number];
    stages[stage] = { p50Ms: round3(p50), p99Ms: round3(p99), budgetMs: pipeline.metrics.budget.limitOf(stage) };
  }
  return stages;
}

function round3(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 1000) / 1000 : value;
}
