// Scenario 3, RocketMQ end to end: messages produced open-loop (binary CloudEvents) → the
// pipeline's rocketmq source (SimpleConsumer on the 5.x gRPC proxy) → router → pool → overlay
// client, against the bare client's consume ceiling (receive + ack, discard).
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import rocketmq from 'rocketmq-client-nodejs';
import { rocketmqSourceSchema } from '../../src/config/source-schemas.js';
import { cloudEventToRocketmqMessage } from '../../src/events/rocketmq-binding.js';
import { LivePipeline } from '../../src/pipeline.js';
import { OpenLoopDriver } from '../harness/open-loop.js';
import { curveOf, p99AtHalf, profileThroughput, searchNotes, stagesAtHalf } from '../harness/throughput-profile.js';
import {
  skippedResult,
  summaryRow,
  type Scenario,
  type ScenarioResult,
  type ThroughputProfile,
} from '../harness/scenario.js';
import {
  benchPipelineSpec,
  CommentEvents,
  connectOverlayClient,
  overlayWsUrl,
  pipelineStages,
  REPO_ROOT,
} from './bench-pipeline.js';
import { isReachable } from './broker-reachability.js';

const { Producer, SimpleConsumer } = rocketmq;
const HOST = '127.0.0.1';
const PORT = 8081;
const ENDPOINTS = `${HOST}:${PORT}`;
const TOPIC = 'livepipe-bench';
const MAX_RATE = 50_000;
// Stable groups, drained to the live head before they are measured. A new pop group does not start
// at the head: the broker starts it at offset 0 while that message is still in the page cache
// (getInitOffset, initPopOffsetByCheckMsgInMem), i.e. it first replays every earlier run's messages.
const CEILING_GROUP = 'livepipe-bench-ceiling';
const PIPELINE_GROUP = 'livepipe-bench-pipeline';
const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };

export const rocketmqE2e: Scenario = {
  name: 'rocketmq-e2e',
  title: 'RocketMQ end to end (produce → rocketmq source → router → pool → overlay client)',
  async run({ settings, progress }): Promise<ScenarioResult> {
    const started = performance.now();
    if (!(await isReachable(HOST, PORT)) || !(await isReachable(HOST, 9876))) {
      return skippedResult(
        this,
        [
          `RocketMQ (proxy ${ENDPOINTS}, name server ${HOST}:9876) is not reachable; start it with \`npm run brokers:rocketmq\` and rerun.`,
        ],
        performance.now() - started,
      );
    }
    const events = new CommentEvents();
    const common = { endpoints: ENDPOINTS, namespace: '', logger: quietLogger as never };
    let producer = new Producer({ ...common, topic: TOPIC });
    // The topic normally exists from an earlier run; creating it (a JVM admin tool) takes ~20 s.
    if (
      !(await producer.startup().then(
        () => true,
        () => false,
      ))
    ) {
      progress.step(`creating topic ${TOPIC}`);
      try {
        await promisify(execFile)('bash', [`${REPO_ROOT}deploy/local/rocketmq`, 'topic', TOPIC], { timeout: 90_000 });
      } catch (error) {
        return skippedResult(
          this,
          [
            `could not create topic ${TOPIC} with deploy/local/rocketmq topic: ${(error as Error).message.split('\n')[0]}`,
          ],
          performance.now() - started,
        );
      }
      producer = new Producer({ ...common, topic: TOPIC });
      await producer.startup();
    }
    const send = (seq: number, at: number): Promise<unknown> =>
      producer.send(cloudEventToRocketmqMessage(events.event(seq, at), TOPIC) as never);
    try {
      progress.step('ceiling: bare SimpleConsumer receive + ack');
      const ceiling = await measureReceiveCeiling(
        common,
        send,
        settings.mode === 'quick' ? 5000 : 30_000,
        settings.measureMs * 2,
      );
      progress.step(`ceiling: ${Math.round(ceiling)} messages/s`);

      progress.step('pipeline: draining its consumer group to the live head');
      const stale = await drainGroup(common, PIPELINE_GROUP);
      progress.step(`pipeline: skipped ${stale} messages produced before this run`);
      const spec = await benchPipelineSpec({
        name: 'bench-rocketmq',
        rocketmq: rocketmqSourceSchema.parse({ endpoints: ENDPOINTS, topic: TOPIC, consumerGroup: PIPELINE_GROUP }),
      });
      const budgetMs = spec.budgets.e2e;
      const pipeline = new LivePipeline(spec);
      await pipeline.start();
      const driver: OpenLoopDriver = new OpenLoopDriver({
        send: (seq, at) => void send(seq, at).catch(() => undefined),
      });
      const client = await connectOverlayClient(overlayWsUrl(pipeline.overlay.url), (seq, at) =>
        driver.delivered(seq, at),
      );
      let profile: ThroughputProfile;
      try {
        // The new group's first receive may take a moment: warm up until events flow.
        for (let attempt = 0; attempt < 20; attempt++) {
          const step = await driver.runStep({ rate: 200, durationMs: 500, graceMs: budgetMs * 4, drainMs: 2000 });
          progress.step(`pipeline: warm-up ${step.delivered}/${step.offered} delivered`);
          if (step.delivered >= 0.95 * step.offered) break;
        }
        profile = await profileThroughput(driver, {
          label: 'pipeline',
          settings,
          progress,
          budgetMs,
          startRate: 500,
          maxRate: MAX_RATE,
          stagesAfterStep: () => pipelineStages(pipeline),
        });
      } finally {
        client.close();
        await pipeline.stop();
      }
      const row = summaryRow({
        scenario: 'rocketmq-e2e',
        variant: `pipeline, SimpleConsumer, ${spec.models[0]!.workers} workers`,
        unit: 'events/s',
        value: profile.search.maxRate,
        p99AtHalfMs: p99AtHalf(profile),
        baseline: undefined,
        ceiling: Math.round(ceiling),
      });
      return {
        scenario: 'rocketmq-e2e',
        title: this.title,
        status: 'ok',
        notes: [
          `Latency from each message's scheduled produce time to the overlay client; budget p99 e2e ≤ ${budgetMs} ms.`,
          'Ceiling: one bare SimpleConsumer, receive(32) + ack per message, discarding. No main-thread baseline here (the Kafka scenario has one).',
          `Both consumer groups are drained to the live head first (the pipeline's skipped ${stale} older messages): a new group would otherwise replay the topic's history before any live message.`,
          'Producer: one gRPC send per message (the client has no batch send); the proxy and broker JVMs share these cores.',
          ...searchNotes('pipeline', profile),
        ],
        rows: [row],
        ratio: { toBaseline: null, toCeiling: row.ratioToCeiling ?? null },
        measures: [
          {
            name: 'pipeline max sustainable',
            description: 'open-loop, p99 within the e2e budget, no backlog growth',
            value: profile.search.maxRate,
            unit: 'events/s',
          },
          {
            name: 'SimpleConsumer ceiling',
            description: 'receive(32) + ack, discard',
            value: ceiling,
            unit: 'messages/s',
          },
        ],
        budgetMs,
        curves: [curveOf('pipeline', profile)],
        timeline: driver.timeline(),
        stages: stagesAtHalf(profile),
        profiles: { pipeline: profile },
        durationMs: performance.now() - started,
      };
    } finally {
      await producer.shutdown().catch(() => undefined);
    }
  },
};

/** Messages/s one SimpleConsumer (its group drained first, 4 concurrent long-polling receives as the source uses) receives and acks. */
async function measureReceiveCeiling(
  common: { endpoints: string; namespace: string; logger: never },
  send: (seq: number, at: number) => Promise<unknown>,
  count: number,
  durationMs: number,
): Promise<number> {
  await drainGroup(common, CEILING_GROUP);
  // The proxy refuses long polls under ~3 s ("deadline time remaining is not enough").
  const consumer = new SimpleConsumer({
    ...common,
    consumerGroup: CEILING_GROUP,
    subscriptions: new Map([[TOPIC, '*']]),
    awaitDuration: 3000,
  });
  await consumer.startup();
  for (let sent = 0; sent < count; sent += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, count - sent) }, (_, i) => send(1_000_000_000 + sent + i, Date.now())),
    );
  }
  let received = 0;
  const started = performance.now();
  let last = started;
  const stopAt = started + durationMs;
  const receiver = async (): Promise<void> => {
    while (performance.now() < stopAt && received < count) {
      const messages = await consumer.receive(32, 30_000).catch(() => []);
      if (messages.length === 0) return;
      await Promise.all(messages.map((m) => consumer.ack(m).catch(() => undefined)));
      received += messages.length;
      last = performance.now();
    }
  };
  await Promise.all([receiver(), receiver(), receiver(), receiver()]);
  await consumer.shutdown().catch(() => undefined);
  const seconds = (last - started) / 1000;
  return seconds > 0 ? received / seconds : 0;
}

/**
 * Receives and acknowledges everything the group has not consumed yet, until a long poll comes back
 * empty; the group then starts at the live head. Returns how many messages it skipped.
 */
async function drainGroup(
  common: { endpoints: string; namespace: string; logger: never },
  group: string,
): Promise<number> {
  const consumer = new SimpleConsumer({
    ...common,
    consumerGroup: group,
    subscriptions: new Map([[TOPIC, '*']]),
    awaitDuration: 3000,
  });
  await consumer.startup();
  let drained = 0;
  const receiver = async (): Promise<void> => {
    for (;;) {
      const messages = await consumer.receive(32, 30_000);
      if (messages.length === 0) return;
      await Promise.all(messages.map((m) => consumer.ack(m).catch(() => undefined)));
      drained += messages.length;
    }
  };
  try {
    await Promise.all([receiver(), receiver(), receiver(), receiver()]);
  } finally {
    await consumer.shutdown().catch(() => undefined);
  }
  return drained;
}
