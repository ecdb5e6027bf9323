// Scenario 2, Kafka end to end: records produced open-loop (binary CloudEvents, record timestamp =
// scheduled time) → the pipeline's kafka source → router → pool → overlay client. Ceiling: bare
// kafkajs consume-and-discard; baseline: kafkajs eachMessage with one main-thread inference each.
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Consumer, type Producer, type Message } from 'kafkajs';
import { kafkaSourceSchema } from '../../src/config/source-schemas.js';
import { LivePipeline } from '../../src/pipeline.js';
import { OpenLoopDriver } from '../harness/open-loop.js';
import { curveOf, p99AtHalf, profileThroughput, searchNotes, stagesAtHalf } from '../harness/throughput-profile.js';
import {
  skippedResult,
  summaryRow,
  type Measure,
  type Scenario,
  type ScenarioResult,
  type ThroughputProfile,
} from '../harness/scenario.js';
import {
  benchPipelineSpec,
  BENCH_STREAM,
  CommentEvents,
  connectOverlayClient,
  overlayWsUrl,
  pipelineStages,
} from './bench-pipeline.js';
import { isReachable } from './broker-reachability.js';
import { MainThreadBaseline } from './main-thread-baseline.js';

const HOST = '127.0.0.1';
const PORT = 9092;
const BROKER = `${HOST}:${PORT}`;
const TOPIC = 'livepipe-bench';
const PARTITIONS = 2;
const MAX_RATE = 200_000;

/** Batches each scheduler tick's records into one produce request. */
class TickProducer {
  private pending: Message[] = [];
  constructor(
    private readonly producer: Producer,
    private readonly events: CommentEvents,
  ) {}

  add(seq: number, scheduledAtMs: number): void {
    const event = this.events.event(seq, scheduledAtMs);
    this.pending.push({
      key: BENCH_STREAM,
      value: JSON.stringify(event.data),
      timestamp: String(Math.floor(scheduledAtMs)),
      headers: {
        ce_specversion: '1.0',
        ce_id: event.id,
        ce_source: event.source,
        ce_type: event.type,
        ce_stream: BENCH_STREAM,
        'content-type': 'application/json',
      },
    });
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const messages = this.pending;
    this.pending = [];
    // A failed produce shows up as undelivered events in the step; nothing else to do here.
    this.producer.send({ topic: TOPIC, acks: 1, messages }).catch(() => undefined);
  }
}

export const kafkaE2e: Scenario = {
  name: 'kafka-e2e',
  title: 'Kafka end to end (produce → kafka source → router → pool → overlay client)',
  async run({ settings, progress }): Promise<ScenarioResult> {
    const started = performance.now();
    if (!(await isReachable(HOST, PORT))) {
      return skippedResult(
        this,
        [`Kafka is not reachable on ${BROKER}; start it with \`npm run brokers:kafka\` and rerun.`],
        performance.now() - started,
      );
    }
    const kafka = new Kafka({ clientId: 'livepipe-bench', brokers: [BROKER], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true })
      .catch(() => false);
    await admin.disconnect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const events = new CommentEvents();
    const spec = await benchPipelineSpec({
      name: 'bench-kafka',
      kafka: kafkaSourceSchema.parse({
        brokers: [BROKER],
        topics: [TOPIC],
        consumerGroup: `livepipe-bench-pipeline-${Date.now()}`,
        initialOffset: 'latest',
      }),
    });
    const model = spec.models[0]!;
    const budgetMs = spec.budgets.e2e;
    const notes: string[] = [];
    const measures: Measure[] = [];

    try {
      // Ceiling: what kafkajs alone delivers, consuming and discarding.
      progress.step('ceiling: bare kafkajs consume');
      const ceiling = await measureConsumeCeiling(
        kafka,
        producer,
        settings.mode === 'quick' ? 20_000 : 200_000,
        settings.measureMs * 2,
      );
      measures.push({
        name: 'kafkajs consume ceiling',
        description: `eachBatch, discard, ${PARTITIONS} partitions, fresh group from the beginning`,
        value: ceiling,
        unit: 'records/s',
      });
      progress.step(`ceiling: ${Math.round(ceiling)} records/s`);

      // Baseline: eachMessage → one main-thread inference → one ws send.
      const baseline = await MainThreadBaseline.start(model.manifest);
      const baselineConsumer = kafka.consumer({ groupId: `livepipe-bench-baseline-${Date.now()}` });
      const tick = new TickProducer(producer, events);
      const baselineDriver: OpenLoopDriver = new OpenLoopDriver({
        send: (seq, at) => tick.add(seq, at),
        flush: () => tick.flush(),
      });
      const baselineClient = await connectOverlayClient(overlayWsUrl(baseline.url), (seq, at) =>
        baselineDriver.delivered(seq, at),
      );
      await baselineConsumer.connect();
      await baselineConsumer.subscribe({ topic: TOPIC, fromBeginning: false });
      await baselineConsumer.run({
        eachMessage: async ({ message }) => {
          const id = message.headers?.ce_id?.toString() ?? '';
          const text = (JSON.parse(message.value?.toString() ?? '{}') as { text?: string }).text ?? '';
          await baseline.handle(id, text);
        },
      });
      let baselineProfile: ThroughputProfile;
      try {
        await warmUntilFlowing(baselineDriver, budgetMs, progress, 'baseline');
        baselineProfile = await profileThroughput(baselineDriver, {
          label: 'baseline',
          settings,
          progress,
          budgetMs,
          startRate: 1000,
          maxRate: MAX_RATE,
        });
      } finally {
        baselineClient.close();
        await baselineConsumer.disconnect();
        await baseline.close();
      }

      const pipeline = new LivePipeline(spec);
      await pipeline.start();
      const pipelineTick = new TickProducer(producer, events);
      const driver: OpenLoopDriver = new OpenLoopDriver({
        send: (seq, at) => pipelineTick.add(seq, at),
        flush: () => pipelineTick.flush(),
      });
      const client = await connectOverlayClient(overlayWsUrl(pipeline.overlay.url), (seq, at) =>
        driver.delivered(seq, at),
      );
      let profile: ThroughputProfile;
      try {
        await warmUntilFlowing(driver, budgetMs, progress, 'pipeline');
        profile = await profileThroughput(driver, {
          label: 'pipeline',
          settings,
          progress,
          budgetMs,
          startRate: 2000,
          maxRate: MAX_RATE,
          stagesAfterStep: () => pipelineStages(pipeline),
        });
      } finally {
        client.close();
        await pipeline.stop();
      }
      const row = summaryRow({
        scenario: 'kafka-e2e',
        variant: `pipeline, ${PARTITIONS} partitions, ${model.workers} workers`,
        unit: 'events/s',
        value: profile.search.maxRate,
        p99AtHalfMs: p99AtHalf(profile),
        baseline: baselineProfile.search.maxRate,
        ceiling: Math.round(ceiling),
      });
      measures.unshift(
        {
          name: 'pipeline max sustainable',
          description: 'produce → kafka source → … → overlay client, open-loop',
          value: profile.search.maxRate,
          unit: 'events/s',
        },
        {
          name: 'baseline max sustainable',
          description: 'kafkajs eachMessage, main-thread inference, one ws send each',
          value: baselineProfile.search.maxRate,
          unit: 'events/s',
        },
      );
      notes.push(
        `Latency from each record's scheduled produce time to the overlay client; records carry it as their timestamp. Budget: p99 e2e ≤ ${budgetMs} ms.`,
        'Producer, broker client, pipeline and overlay client share this process; the broker (JVM) shares the same cores.',
        ...searchNotes('pipeline', profile),
        ...searchNotes('baseline', baselineProfile),
      );
      return {
        scenario: 'kafka-e2e',
        title: this.title,
        status: 'ok',
        notes,
        rows: [row],
        ratio: { toBaseline: row.ratioToBaseline ?? null, toCeiling: row.ratioToCeiling ?? null },
        measures,
        budgetMs,
        curves: [curveOf('pipeline', profile), curveOf('baseline', baselineProfile)],
        timeline: driver.timeline(),
        stages: stagesAtHalf(profile),
        profiles: { pipeline: profile, baseline: baselineProfile },
        durationMs: performance.now() - started,
      };
    } finally {
      await producer.disconnect();
    }
  },
};

/** A fresh consumer group on `latest` misses what is produced before it has its assignment: wait for flow. */
async function warmUntilFlowing(
  driver: OpenLoopDriver,
  budgetMs: number,
  progress: { step(text: string): void },
  label: string,
): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const step = await driver.runStep({ rate: 500, durationMs: 500, graceMs: budgetMs * 2, drainMs: 1000 });
    progress.step(`${label}: warm-up ${step.delivered}/${step.offered} delivered`);
    if (step.delivered >= 0.95 * step.offered) return;
  }
  throw new Error(
    `${label}: the consumer received nothing within 10 s of produce; is the topic ${TOPIC} readable on ${BROKER}?`,
  );
}

/** Records/s one kafkajs consumer (eachBatch, discard) reads from the beginning of the topic. */
async function measureConsumeCeiling(
  kafka: Kafka,
  producer: Producer,
  minRecords: number,
  durationMs: number,
): Promise<number> {
  const value = JSON.stringify({
    text: 'a benchmark record of typical chat size, nothing more',
    viewer: { name: 'ana', level: 3 },
  });
  const headers = {
    ce_specversion: '1.0',
    ce_id: 'x',
    ce_source: '/bench',
    ce_type: 'live.comment',
    'content-type': 'application/json',
  };
  for (let produced = 0; produced < minRecords; produced += 1000) {
    await producer.send({
      topic: TOPIC,
      acks: 1,
      messages: Array.from({ length: 1000 }, () => ({ key: BENCH_STREAM, value, headers })),
    });
  }
  const consumer: Consumer = kafka.consumer({
    groupId: `livepipe-bench-ceiling-${Date.now()}`,
    maxBytes: 10 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let count = 0;
  let first = 0;
  let last = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      // Time from the end of the first batch: that batch's wait includes the group join.
      if (first === 0) {
        first = now;
        last = now;
        return;
      }
      count += batch.messages.length;
      last = now;
      if (now - first >= durationMs) done();
    },
  });
  // Also end when the topic is read to its end (no batch for a while).
  const idle = setInterval(() => {
    if (first !== 0 && performance.now() - last > 1000) done();
  }, 100);
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, durationMs + 15_000))]);
  clearInterval(idle);
  await consumer.disconnect();
  const seconds = (last - first) / 1000;
  return seconds > 0 ? count / seconds : 0;
}
