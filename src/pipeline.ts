// Wires the stages of one Pipeline: sources → router → subscribers (model pools, overlay,
// aggregations) → overlay. Results of models are CloudEvents that go back through the router.
// Every stage records its duration against the pipeline's latency budget.
import { performance } from 'node:perf_hooks';
import {
  AGGREGATE_CHANNELS,
  aggregateTarget,
  modelTarget,
  overlayTarget,
  sinkTarget,
  type Target,
} from './pipeline-targets.js';
import { CAUSE_ID, INGEST_TIME, STREAM, ingestTimeOf, type LiveEvent } from './events/cloudevent.js';
import type { Pipeline } from './config/schema.js';
import { LivepipeError, messageOf } from './errors.js';
import { Router } from './router/index.js';
import { createSource } from './sources/registry.js';
import type { Source, SourceContext } from './sources/source.js';
import type { Sink } from './delivery/sink.js';
import { createSink } from './delivery/sink-registry.js';
import { DeliveryFailure } from './delivery/delivery-failure.js';
import { PoolRejection, type ModelPool } from './workers/index.js';
import { createModelPool } from './workers/pool-registry.js';
import { RedisOverlayFanout } from './overlay/index.js';
import { EngagementAggregator } from './aggregate/index.js';
import { OverlayServer } from './overlay/index.js';
import { MetricsServer, PipelineMetrics, type PoolStatus } from './metrics/index.js';
import { DeadLetterLog, type DeadLetter } from './delivery/dead-letter.js';
import { resultEvent, resultTypeOf } from './inference/result-event.js';
import { tagLanguage } from './events/comment-language.js';
import { type ManifestIdentity, readManifestIdentity } from './config/manifest-identity.js';
import { nameFromManifestPath } from './inference/model-kinds/transformer-model.js';
import { loadModelManifest } from './inference/model-registry.js';

export interface PipelineRunOptions {
  /** Overrides overlay.port (0 picks a free port). */
  port?: number;
  /** Called with a status line every metrics.statusEvery ms; omitted: no status lines. */
  onStatus?: (line: string) => void;
}

type Phase = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

export class LivePipeline {
  readonly spec: Pipeline;
  readonly metrics: PipelineMetrics;
  readonly overlay: OverlayServer;
  /** Set when metrics.port is: /metrics on its own port (it is also on the overlay port). */
  readonly metricsServer: MetricsServer | undefined;
  /** Events no subscriber could take, newest last (also counted in livepipe_events_dropped_total). */
  readonly deadLetters = new DeadLetterLog();
  private readonly sources: Source[];
  private readonly sinks: Sink[] = [];
  private readonly pools = new Map<string, ModelPool>();
  /** The name and version each pool's manifest declares (status line, result type). */
  private readonly modelIdentities = new Map<string, ManifestIdentity>();
  private readonly aggregators = new Map<string, EngagementAggregator>();
  private readonly router: Router<Target>;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly options: PipelineRunOptions;
  private phase: Phase = 'new';

  constructor(spec: Pipeline, options: PipelineRunOptions = {}) {
    this.spec = spec;
    this.options = options;
    this.metrics = new PipelineMetrics(spec.budgets);
    for (const model of spec.models) {
      this.pools.set(model.name, this.createModelPool(model));
      this.modelIdentities.set(model.name, readManifestIdentity(model.manifest));
    }
    for (const aggregation of spec.aggregations) {
      this.aggregators.set(aggregation.name, new EngagementAggregator(aggregation));
    }
    this.router = new Router(
      spec.triggers.map((trigger) => ({
        name: trigger.name,
        filter: trigger.filter,
        filters: trigger.filters,
        target: this.targetOf(trigger.name, trigger.subscriber, trigger.delivery ?? spec.delivery),
      })),
      { onFilterError: (trigger) => this.metrics.filterError(trigger) },
    );
    this.sources = spec.sources.map((source) => createSource(source));
    this.metricsServer =
      spec.metrics.port === undefined
        ? undefined
        : new MetricsServer(spec.overlay.host, spec.metrics.port, this.metrics.metricsHandler);
    this.overlay = new OverlayServer({
      ...(spec.overlay.redis === undefined ? {} : { fanout: new RedisOverlayFanout({ url: spec.overlay.redis }) }),
      host: spec.overlay.host,
      port: options.port ?? spec.overlay.port,
      snapshotSize: spec.overlay.snapshotSize,
      // The hub's own stage timing is not used: push is timed around publish() (with a Redis
      // fan-out the hub writes later, when the message comes back).
      hooks: {
        onPublish: (stream, _channel, _durationMs, _sent, dropped) => {
          if (dropped > 0) this.metrics.overlayDropped(stream, dropped);
        },
        onSlowClient: (stream) => this.metrics.overlaySlowClient(stream),
        onResync: (stream) => this.metrics.overlayResync(stream),
      },
      routes: {
        '/metrics': (req, res) => this.metrics.metricsHandler(req, res),
        '/deadletters': (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ total: this.deadLetters.count, recent: this.deadLetters.recent() }));
        },
      },
    });
  }

  /** Where Prometheus scrapes (known after start). */
  metricsUrl(): string {
    return this.metricsServer?.url ?? `${this.overlay.url}/metrics`;
  }

  /** Listening sources and their URLs (known after start). */
  ingressUrls(): Array<{ source: string; url: string }> {
    const urls: Array<{ source: string; url: string }> = [];
    for (const source of this.sources)
      if (source.url !== undefined) urls.push({ source: source.name, url: source.url });
    return urls;
  }

  /** Streams the sources announce up front, plus those seen by the aggregations so far. */
  streams(): string[] {
    const names = new Set<string>();
    for (const source of this.sources) for (const stream of source.streams ?? []) names.add(stream);
    for (const aggregator of this.aggregators.values()) for (const stream of aggregator.streams()) names.add(stream);
    return [...names];
  }

  /**
   * A manifest whose model is not fetched or built loads its fallback (models/chat-sentiment.yaml →
   * the bundled MLP): the status line must say which model really runs, and why.
   */
  private async noteFallbackModels(): Promise<void> {
    for (const model of this.spec.models) {
      const loaded = await loadModelManifest(model.manifest);
      if (loaded.fallbackFor === undefined) continue;
      const runs = { name: nameFromManifestPath(loaded.manifestPath), version: loaded.version, fallback: true };
      this.modelIdentities.set(model.name, runs);
      this.options.onStatus?.(
        `model ${model.name}: runs the fallback ${runs.name} ${runs.version ?? ''} — ${loaded.fallbackFor.reason}`,
      );
    }
  }

  async start(): Promise<void> {
    if (this.phase !== 'new')
      throw new LivepipeError('LP_PIPELINE_STATE', `cannot start a pipeline that is ${this.phase}`);
    this.phase = 'starting';
    try {
      await this.noteFallbackModels();
      await Promise.all([...this.pools.values()].map((pool) => pool.start()));
      await Promise.all(this.sinks.map((sink) => sink.start()));
      await this.overlay.start();
      await this.metricsServer?.start();
    } catch (error) {
      await this.shutdown();
      throw error;
    }
    for (const [name, aggregator] of this.aggregators) {
      const spec = this.spec.aggregations.find((a) => a.name === name)!;
      this.timers.push(setInterval(() => this.publishAggregates(aggregator), spec.publishEvery).unref());
    }
    if (this.options.onStatus && this.spec.metrics.statusEvery > 0) {
      const onStatus = this.options.onStatus;
      this.timers.push(setInterval(() => onStatus(this.statusLine()), this.spec.metrics.statusEvery).unref());
    }
    this.phase = 'running';
    for (const source of this.sources) {
      // Deliveries a source does not wait for are still tracked here (stop() drains them).
      const context: SourceContext = {
        deliver: (event) => this.ingest(source.name, event),
        capacity: () => this.capacity(),
        deadLetter: (letter) => this.deadLetter(letter),
      };
      await source.start(context);
    }
  }

  /**
   * Backpressure: undefined while every model pool has queue room, else a promise that resolves
   * once they have drained. A source waits on it (a Kafka consumer pauses) instead of overrunning.
   */
  capacity(): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const pool of this.pools.values()) {
      const wait = pool.whenCapacity();
      if (wait !== undefined) (waits ??= []).push(wait);
    }
    if (waits === undefined) return undefined;
    return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }

  statusLine(): string {
    let busy = 0;
    let workers = 0;
    const pools: PoolStatus[] = [];
    for (const [name, pool] of this.pools) {
      const stats = pool.stats();
      busy += stats.busy;
      workers += stats.workers;
      this.metrics.observePool(name, { workers: stats.workers, busy: stats.busy, queueDepth: stats.queued });
      const model = this.modelIdentities.get(name);
      pools.push({
        pool: name,
        model: model?.name ?? name,
        version: model?.version,
        fallback: model?.fallback === true,
        busy: stats.busy,
        workers: stats.workers,
      });
    }
    return this.metrics.statusLine({ busy, workers }, pools);
  }

  /**
   * Entry point of every source. Resolves when every matching subscriber has accepted the event —
   * models included, down to the delivery of their results — or it was dead-lettered; undefined
   * when that already happened synchronously. Never rejects: a source may commit after it.
   */
  ingest(sourceName: string, event: LiveEvent): Promise<void> | undefined {
    const ingestTime = ingestTimeOf(event);
    this.metrics.eventIn(sourceName);
    if (ingestTime !== undefined) this.metrics.observe('source', Math.max(0, Date.now() - ingestTime));
    // Whatever the source, a comment carries its language before routing (per-language models).
    tagLanguage(event);
    return this.dispatch(event);
  }

  /** Routes an event (from a source or a model) to every matching subscriber; see ingest(). */
  dispatch(event: LiveEvent): Promise<void> | undefined {
    const started = performance.now();
    const targets = this.router.match(event);
    this.metrics.observe('route', performance.now() - started);
    if (targets.length === 0) {
      this.metrics.unmatched();
      return undefined;
    }
    let pending: Promise<void> | undefined;
    let more: Promise<void>[] | undefined;
    for (const target of targets) {
      switch (target.kind) {
        case 'model': {
          const work = this.runModel(target.model, target.resultType, target.destination, event);
          if (work === undefined) break;
          if (pending === undefined) pending = work;
          else (more ??= [pending]).push(work);
          break;
        }
        case 'overlay':
          this.push(streamOf(event), target.channel, target.sinkName, overlayPayload(event), event);
          break;
        case 'aggregate':
          this.aggregators.get(target.aggregation)!.add(event, Date.now());
          break;
        case 'sink': {
          const work = this.sendToSink(target.sink, event);
          if (pending === undefined) pending = work;
          else (more ??= [pending]).push(work);
          break;
        }
      }
    }
    return more === undefined ? pending : Promise.all(more).then(() => undefined);
  }

  /** Counts, keeps and forwards an event that cannot be delivered; never throws. */
  deadLetter(letter: Omit<DeadLetter, 'time'>): void {
    this.metrics.dropped(letter.reason);
    this.deadLetters.add({ ...letter, time: new Date().toISOString() });
  }

  private sendToSink(sink: Sink, event: LiveEvent): Promise<void> {
    const work = sink
      .send(event)
      .then(
        (reply) => {
          this.metrics.eventOut(sink.name);
          // A reply re-enters the router, as in a Knative Broker; it inherits the cause's timing.
          if (reply) return this.dispatch(withCause(reply, event));
        },
        (error: unknown) =>
          this.deadLetter({
            reason: (error instanceof DeliveryFailure ? error.reason : undefined) ?? 'sink-failed',
            message: messageOf(error),
            destination: sink.name,
            event,
          }),
      )
      .catch((error: unknown) => {
        this.deadLetter({ reason: 'reply-delivery-failed', message: messageOf(error), destination: sink.name, event });
      });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** In-process worker threads by default; a BullMQ queue served by `livepipe worker` processes when distributed. */
  private createModelPool(model: Pipeline['models'][number]): ModelPool {
    return createModelPool(model, {
      budgets: this.spec.budgets,
      events: {
        onScaleDecision: (decision) => this.metrics.scaleDecision(model.name, decision.desired, decision.reason),
        onDeadlineOutcome: (outcome, count) => this.metrics.budgetPolicyOutcome(model.name, outcome, count),
        onColdStart: (ms) => this.metrics.workerColdStartMs(model.name, ms),
        onBatchTokens: (tokens, paddedTokens) => this.metrics.batchTokenCounts(model.name, tokens, paddedTokens),
      },
    });
  }

  private runModel(
    model: string,
    resultType: string,
    destination: string,
    event: LiveEvent,
  ): Promise<void> | undefined {
    const text = textOf(event);
    if (text === undefined) {
      this.deadLetter({
        reason: 'no-text',
        message: 'event has no string data.text for the model',
        destination,
        event,
      });
      return undefined;
    }
    const ingestTime = ingestTimeOf(event);
    if (this.spec.budgets.policy === 'shed' && ingestTime !== undefined) {
      const age = Date.now() - ingestTime;
      if (age > this.spec.budgets.e2e) {
        this.deadLetter({
          reason: 'budget-shed',
          message: `already ${age} ms old, over the e2e budget`,
          destination,
          event,
        });
        return undefined;
      }
    }
    const pool = this.pools.get(model)!;
    const stream = event[STREAM];
    const work = pool
      .infer(
        { id: event.id, text },
        {
          deadlineMs: ingestTime === undefined ? undefined : ingestTime + this.spec.budgets.e2e,
          conflationKey: typeof stream === 'string' ? stream : undefined,
        },
      )
      .then(
        (result) => {
          this.metrics.observe('queue', result.queueMs);
          this.metrics.observe('infer', result.inferMs);
          this.metrics.batch(model, result.batchSize);
          return this.dispatch(resultEvent(model, resultType, event, text, result));
        },
        (error: unknown) => {
          const reason = error instanceof PoolRejection ? error.reason : 'model-error';
          this.deadLetter({ reason, message: messageOf(error), destination, event });
        },
      )
      .catch((error: unknown) => {
        // Delivering the result failed after inference: the cause still must not vanish.
        this.deadLetter({ reason: 'result-delivery-failed', message: messageOf(error), destination, event });
      });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  private push(stream: string, channel: string, sinkName: string, payload: unknown, cause: LiveEvent): void {
    const started = performance.now();
    this.overlay.publish(stream, channel, payload);
    this.metrics.observe('push', performance.now() - started);
    this.metrics.eventOut(sinkName);
    const ingestTime = ingestTimeOf(cause);
    if (ingestTime !== undefined) this.metrics.observe('e2e', Math.max(0, Date.now() - ingestTime));
  }

  private publishAggregates(aggregator: EngagementAggregator): void {
    const now = Date.now();
    for (const stream of aggregator.streams()) {
      this.overlay.publish(stream, AGGREGATE_CHANNELS.hype, aggregator.hype(stream, now));
      const poll = aggregator.poll(stream);
      if (poll) this.overlay.publish(stream, AGGREGATE_CHANNELS.poll, poll);
    }
  }

  private targetOf(
    trigger: string,
    subscriber: Pipeline['triggers'][number]['subscriber'],
    delivery?: Pipeline['delivery'],
  ): Target {
    if ('model' in subscriber) {
      const model = this.spec.models.find((m) => m.name === subscriber.model)!;
      const identity = this.modelIdentities.get(model.name);
      return modelTarget(model.name, resultTypeOf(identity?.name ?? model.name, model.resultType));
    }
    if ('overlay' in subscriber) return overlayTarget(subscriber.overlay);
    if ('aggregate' in subscriber) return aggregateTarget(subscriber.aggregate);
    const sink = createSink(trigger, subscriber, { delivery });
    this.sinks.push(sink);
    return sinkTarget(sink);
  }

  /** Stops the sources, lets in-flight inference finish and be delivered, then closes everything. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'stopping') return;
    this.phase = 'stopping';
    await Promise.all(this.sources.map((source) => source.stop()));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    await Promise.allSettled([...this.pools.values()].map((pool) => pool.close()));
    await Promise.allSettled(this.sinks.map((sink) => sink.close()));
    await this.overlay.close().catch(() => undefined);
    await this.metricsServer?.close();
    this.phase = 'stopped';
  }
}

/** Carries the cause's stream and ingest time onto a reply that lacks them (for rooms and e2e timing). */
function withCause(reply: LiveEvent, cause: LiveEvent): LiveEvent {
  if (reply[STREAM] === undefined && cause[STREAM] !== undefined) reply[STREAM] = cause[STREAM];
  if (reply[INGEST_TIME] === undefined && cause[INGEST_TIME] !== undefined) reply[INGEST_TIME] = cause[INGEST_TIME];
  if (reply[CAUSE_ID] === undefined) reply[CAUSE_ID] = cause.id;
  return reply;
}

function streamOf(event: LiveEvent): string {
  const stream = event[STREAM];
  return typeof stream === 'string' ? stream : event.source;
}

function textOf(event: LiveEvent): string | undefined {
  const data = event.data as { text?: unknown } | undefined;
  return typeof data?.text === 'string' ? data.text : undefined;
}

/** What the overlay receives for an event: its identity and payload, not the transport details. */
function overlayPayload(event: LiveEvent): unknown {
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    time: event.time,
    causeid: event[CAUSE_ID],
    data: event.data,
  };
}
