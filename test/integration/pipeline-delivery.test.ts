// Delivery guarantees of the pipeline core, which broker sources commit on: ingest() resolves only
// after every subscriber (down to a model's result on the overlay) took the event, and whatever
// cannot be delivered is dead-lettered with its reason instead of vanishing.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/config/index.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import { LivePipeline } from '../../src/pipeline.js';

const PIPELINE_FILE = fileURLToPath(new URL('../fixtures/e2e/e2e-pipeline.yaml', import.meta.url));

function comment(id: string, text: unknown): LiveEvent {
  return {
    specversion: '1.0',
    id,
    source: '/live/streams/delivery-test',
    type: 'live.comment',
    stream: 'delivery-test',
    ingesttime: Date.now(),
    data: { viewer: { id: 'v1', name: 'tester', level: 3 }, text },
  };
}

describe('pipeline delivery', () => {
  let pipeline: LivePipeline;

  beforeAll(async () => {
    const spec = await loadPipeline(PIPELINE_FILE);
    spec.sources[0]!.generator!.maxEvents = 1; // keep the generator out of the way
    spec.metrics.port = 0; // a metrics server of its own, as Prometheus deployments want
    pipeline = new LivePipeline(spec);
    await pipeline.start();
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('resolves ingest() only after the model result reached the overlay', async () => {
    const sentAtStart = pipeline.metrics.eventsOutTotal;
    const done = pipeline.ingest('test', comment('delivery-1', 'this stream is amazing'));
    expect(done).toBeInstanceOf(Promise);
    expect(pipeline.metrics.eventsOutTotal).toBe(sentAtStart);
    await done;
    expect(pipeline.metrics.eventsOutTotal).toBe(sentAtStart + 1);
    const text = await (await fetch(pipeline.metricsUrl())).text();
    expect(text).toMatch(/^livepipe_events_out_total\{sink="overlay:comments"\} [1-9]/m);
  });

  it('dead-letters a comment without text, with the reason, and resolves', async () => {
    const droppedBefore = pipeline.metrics.eventsDroppedTotal;
    await pipeline.ingest('test', comment('delivery-2', 42));
    expect(pipeline.metrics.eventsDroppedTotal).toBe(droppedBefore + 1);
    const body = (await (await fetch(`${pipeline.overlay.url}/deadletters`)).json()) as {
      total: number;
      recent: Array<{ reason: string; destination: string; event?: { id: string } }>;
    };
    const letter = body.recent.find((entry) => entry.event?.id === 'delivery-2');
    expect(letter).toMatchObject({ reason: 'no-text', destination: 'model:chat-sentiment' });
  });

  it('returns nothing to wait for when no model is involved', () => {
    const like: LiveEvent = {
      ...comment('delivery-3', ''),
      type: 'live.like',
      data: { viewer: { id: 'v' }, count: 1 },
    };
    expect(pipeline.ingest('test', like)).toBeUndefined();
  });

  it('serves /metrics on metrics.port, apart from the overlay', async () => {
    const url = pipeline.metricsUrl();
    expect(url).not.toContain(pipeline.overlay.url);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('livepipe_stage_duration_seconds_bucket');
    expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);
  });
});

describe('pipeline under budgets.policy shed', () => {
  let pipeline: LivePipeline;

  beforeAll(async () => {
    const spec = await loadPipeline(PIPELINE_FILE);
    spec.sources[0]!.generator!.maxEvents = 1;
    spec.budgets.policy = 'shed';
    pipeline = new LivePipeline(spec);
    await pipeline.start();
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('dead-letters an event already older than the e2e budget instead of running the model', async () => {
    const droppedBefore = pipeline.metrics.eventsDroppedTotal;
    const stale = {
      ...comment('shed-1', 'this stream is amazing'),
      ingesttime: Date.now() - 10 * pipeline.spec.budgets.e2e,
    };
    await pipeline.ingest('test', stale);
    expect(pipeline.metrics.eventsDroppedTotal).toBe(droppedBefore + 1);
    const letter = pipeline.deadLetters.recent().find((entry) => entry.event?.id === 'shed-1');
    expect(letter).toMatchObject({ reason: 'budget-shed', destination: 'model:chat-sentiment' });
    expect(letter?.message).toMatch(/^already \d+ ms old, over the e2e budget$/);
  });
});
