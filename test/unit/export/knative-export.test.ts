import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { exportKnativeCommand } from '../../../src/cli/export-command.js';
import { loadPipeline, parsePipeline } from '../../../src/config/index.js';
import { exportKnative, renderKnativeExport } from '../../../src/export/knative.js';
import { parseCesql } from '../../../src/router/cesql/parser.js';

type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked freely and checked by the assertions
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  data?: any;
};

const DEMO = 'pipelines/live-interaction.yaml';
const FIXTURE = 'test/unit/export/fixtures/every-filter.yaml';
/** The options deploy/knative/ was generated with (its header says so). */
const DEMO_OPTIONS = { kafkaBootstrap: 'my-cluster-kafka-bootstrap.kafka:9092', kafkaTopic: 'live-interactions' };
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GO_DURATION = /^\d+(ms|s|m|h)$/;

const silent = { stdout: { write: () => true }, stderr: { write: () => true } } as unknown as Parameters<
  typeof exportKnativeCommand
>[2];

async function exportDocs(file: string, options: Parameters<typeof exportKnative>[1] = {}): Promise<Doc[]> {
  const text = renderKnativeExport(exportKnative(await loadPipeline(file), options));
  const documents = parseAllDocuments(text);
  for (const document of documents) expect(document.errors).toEqual([]);
  return documents.map((document) => document.toJS() as Doc).filter((doc) => doc !== null);
}

/** Checks one document against the shape its kind requires (fields Knative and Kubernetes validate). */
function checkShape(doc: Doc): void {
  expect(doc.metadata.name).toMatch(NAME);
  expect(doc.metadata.namespace).toMatch(NAME);
  const key = `${doc.apiVersion} ${doc.kind}`;
  switch (key) {
    case 'eventing.knative.dev/v1 Broker':
      break;
    case 'eventing.knative.dev/v1 Trigger': {
      expect(typeof doc.spec.broker).toBe('string');
      const subscriber = doc.spec.subscriber;
      expect(subscriber.ref !== undefined || subscriber.uri !== undefined).toBe(true);
      if (subscriber.ref) expect(Object.keys(subscriber.ref).sort()).toEqual(['apiVersion', 'kind', 'name']);
      if (subscriber.ref && subscriber.uri !== undefined) expect(subscriber.uri).toMatch(/^\//);
      if (!subscriber.ref) expect(() => new URL(subscriber.uri)).not.toThrow();
      for (const entry of doc.spec.filters ?? []) checkFilter(entry);
      for (const name of Object.keys(doc.spec.filter?.attributes ?? {})) expect(name).toMatch(/^[a-z][a-z0-9]*$/);
      break;
    }
    case 'sources.knative.dev/v1beta1 KafkaSource':
      expect(doc.spec.bootstrapServers.length).toBeGreaterThan(0);
      for (const server of doc.spec.bootstrapServers) expect(server).toMatch(/^[^\s:]+:\d+$/);
      expect(doc.spec.topics.length).toBeGreaterThan(0);
      expect(['earliest', 'latest']).toContain(doc.spec.initialOffset);
      expect(doc.spec.sink.ref ?? doc.spec.sink.uri).toBeDefined();
      expect(['ordered', 'unordered']).toContain(
        doc.metadata.annotations?.['kafka.eventing.knative.dev/delivery.order'],
      );
      break;
    case 'serving.knative.dev/v1 Service': {
      const container = doc.spec.template.spec.containers[0];
      expect(typeof container.image).toBe('string');
      expect(container.args[0]).toBe('serve-model');
      checkAutoscaling(doc.spec.template.metadata.annotations);
      break;
    }
    case 'apps/v1 Deployment':
      // The pod template must carry every selector label, or the Deployment selects no pods.
      expect(Object.keys(doc.spec.selector.matchLabels).length).toBeGreaterThan(0);
      for (const [k, v] of Object.entries(doc.spec.selector.matchLabels))
        expect(doc.spec.template.metadata.labels[k]).toBe(v);
      expect(typeof doc.spec.template.spec.containers[0].image).toBe('string');
      break;
    case 'v1 Service':
      expect(doc.spec.ports.length).toBeGreaterThan(0);
      break;
    case 'v1 ConfigMap':
      expect(typeof doc.data['pipeline.yaml']).toBe('string');
      break;
    default:
      throw new Error(`unexpected resource ${key}`);
  }
}

/** Knative's rules for one `filters` entry: one dialect; exact/prefix/suffix with exactly one attribute; CESQL that parses. */
// biome-ignore lint/suspicious/noExplicitAny: one parsed YAML filter entry
function checkFilter(entry: Record<string, any>): void {
  const dialects = Object.keys(entry);
  expect(dialects).toHaveLength(1);
  const dialect = dialects[0]!;
  const operand = entry[dialect];
  if (dialect === 'exact' || dialect === 'prefix' || dialect === 'suffix') {
    expect(Object.keys(operand)).toHaveLength(1);
    expect(Object.keys(operand)[0]).toMatch(/^[a-z][a-z0-9]*$/);
  } else if (dialect === 'all' || dialect === 'any') {
    for (const child of operand) checkFilter(child);
  } else if (dialect === 'not') {
    checkFilter(operand);
  } else {
    expect(dialect).toBe('cesql');
    expect(() => parseCesql(operand)).not.toThrow();
  }
}

function checkAutoscaling(annotations: Record<string, string>): void {
  expect(annotations['autoscaling.knative.dev/class']).toBe('kpa.autoscaling.knative.dev');
  expect(annotations['autoscaling.knative.dev/metric']).toBe('concurrency');
  for (const key of [
    'target',
    'min-scale',
    'max-scale',
    'target-utilization-percentage',
    'panic-window-percentage',
    'panic-threshold-percentage',
  ]) {
    expect(annotations[`autoscaling.knative.dev/${key}`], key).toMatch(/^\d+(\.\d+)?$/);
  }
  expect(Number(annotations['autoscaling.knative.dev/max-scale'])).toBeGreaterThanOrEqual(
    Number(annotations['autoscaling.knative.dev/min-scale']),
  );
  expect(annotations['autoscaling.knative.dev/window']).toMatch(GO_DURATION);
  expect(annotations['autoscaling.knative.dev/scale-to-zero-pod-retention-period']).toMatch(GO_DURATION);
}

const byKind = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);
const named = (docs: Doc[], kind: string, name: string) => {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!doc) throw new Error(`no ${kind} ${name} in ${docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ')}`);
  return doc;
};

describe('livepipe export knative: the demo pipeline', () => {
  let docs: Doc[];
  beforeAll(async () => {
    docs = await exportDocs(DEMO, {
      kafka: { bootstrapServers: ['kafka:9092'], topic: 'live-interactions' },
      namespace: 'live',
    });
  });

  it('writes only documents that have the shape of their Knative or Kubernetes kind', () => {
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) checkShape(doc);
    for (const doc of docs) expect(doc.metadata.namespace).toBe('live');
  });

  it('reads the given Kafka topic into the Broker named after the pipeline', () => {
    const [source, ...others] = byKind(docs, 'KafkaSource');
    expect(others).toHaveLength(0);
    expect(source!.spec.topics).toEqual(['live-interactions']);
    expect(source!.spec.sink.ref).toEqual({
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Broker',
      name: 'live-interaction',
    });
    expect(named(docs, 'Broker', 'live-interaction')).toBeDefined();
  });

  it('sends comments to the model Service of their language and everything else, once, to the router', () => {
    const toModel = named(docs, 'Trigger', 'comments-to-sentiment');
    expect(toModel.spec.filters).toEqual([{ exact: { type: 'live.comment' } }, { not: { exact: { language: 'zh' } } }]);
    expect(toModel.spec.subscriber.ref).toEqual({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      name: 'chat-sentiment',
    });
    const toChineseModel = named(docs, 'Trigger', 'chinese-comments-to-sentiment');
    expect(toChineseModel.spec.subscriber.ref?.name).toBe('chat-sentiment-zh');
    const toRouter = byKind(docs, 'Trigger').filter((t) => t.spec.subscriber.ref?.name === 'livepipe-router');
    expect(toRouter).toHaveLength(1);
    expect(toRouter[0]!.metadata.annotations!['livepipe.dev/triggers']!.split(',')).toEqual([
      'scored-comments-to-overlay',
      'big-gift-alerts',
      'engagement',
    ]);
  });

  it('gives the router a pipeline that validates and keeps the CEL filter Knative cannot apply', () => {
    const config = named(docs, 'ConfigMap', 'livepipe-router-pipeline');
    const routerPipeline = parsePipeline(config.data['pipeline.yaml'], 'router.yaml');
    expect(routerPipeline.models).toEqual([]);
    expect(routerPipeline.sources[0]!.http?.port).toBe(8090);
    const bigGifts = routerPipeline.triggers.find((t) => t.name === 'big-gift-alerts');
    expect(bigGifts?.filters).toContainEqual({ cel: 'event.data.gift.value >= 100' });
    expect(routerPipeline.triggers.map((t) => t.name)).not.toContain('comments-to-sentiment');
  });

  it('serves the model from its manifest path inside the image with the pipeline worker count as scale bounds', () => {
    const service = named(docs, 'Service', 'chat-sentiment');
    expect(service.apiVersion).toBe('serving.knative.dev/v1');
    expect(service.spec.template.spec.containers[0].args).toEqual([
      'serve-model',
      '--model',
      'models/chat-sentiment.yaml',
      '--port',
      '8080',
    ]);
    const annotations = service.spec.template.metadata.annotations;
    expect(annotations['autoscaling.knative.dev/min-scale']).toBe('2');
    expect(annotations['autoscaling.knative.dev/max-scale']).toBe('2');
  });
});

describe('livepipe export knative: every filter kind', () => {
  let docs: Doc[];
  beforeAll(async () => {
    docs = await exportDocs(FIXTURE);
  });

  it('writes only documents that have the shape of their kind', () => {
    for (const doc of docs) checkShape(doc);
  });

  it('maps the kafka source field by field, ordering as the annotation', () => {
    const source = named(docs, 'KafkaSource', 'chat');
    expect(source.spec).toMatchObject({
      bootstrapServers: ['kafka-0.kafka:9092', 'kafka-1.kafka:9092'],
      topics: ['live-interactions'],
      consumerGroup: 'livepipe-chat',
      initialOffset: 'earliest',
    });
    expect(source.metadata.annotations!['kafka.eventing.knative.dev/delivery.order']).toBe('ordered');
  });

  it('takes the autoscaling annotations from the model autoscale section', () => {
    const annotations = named(docs, 'Service', 'scorer').spec.template.metadata.annotations;
    expect(annotations).toMatchObject({
      'autoscaling.knative.dev/target': '16',
      'autoscaling.knative.dev/target-utilization-percentage': '85',
      'autoscaling.knative.dev/min-scale': '0',
      'autoscaling.knative.dev/max-scale': '8',
      'autoscaling.knative.dev/window': '30s',
      'autoscaling.knative.dev/panic-window-percentage': '20.0',
      'autoscaling.knative.dev/panic-threshold-percentage': '300.0',
      'autoscaling.knative.dev/scale-to-zero-pod-retention-period': '45s',
    });
  });

  it('joins the two triggers of one model into one Trigger, splitting a two-attribute exact and translating CEL to CESQL', () => {
    const toModel = byKind(docs, 'Trigger').filter((t) => t.spec.subscriber.ref?.name === 'scorer');
    expect(toModel).toHaveLength(1);
    expect(toModel[0]!.spec.filters).toEqual([
      {
        any: [
          { all: [{ exact: { type: 'live.comment' } }, { exact: { stream: 'stream-1' } }] },
          { cesql: "(type LIKE 'live.%') AND ((stream = 'stream-2') OR NOT EXISTS vip)" },
        ],
      },
    ]);
  });

  it('carries prefix, suffix, all, any and not over unchanged and keeps the data CEL on the router', () => {
    const toRouter = byKind(docs, 'Trigger').find((t) => t.spec.subscriber.ref?.name === 'livepipe-router')!;
    expect(toRouter.spec.filters).toEqual([
      {
        any: [
          { all: [{ prefix: { type: 'live.' } }, { suffix: { source: '/eu' } }] },
          {
            all: [
              { any: [{ exact: { type: 'live.like' } }, { exact: { type: 'live.vote' } }] },
              { not: { exact: { stream: 'stream-9' } } },
            ],
          },
          // not(cel on data) has no CESQL; the sound loosening drops it, the router applies it.
          { exact: { type: 'live.gift' } },
        ],
      },
    ]);
  });

  it('sends a uri subscriber its legacy attribute filter as it is', () => {
    const toUri = named(docs, 'Trigger', 'legacy-to-uri');
    expect(toUri.spec.filter).toEqual({ attributes: { type: 'live.join', source: '' } });
    expect(toUri.spec.subscriber).toEqual({ uri: 'http://welcome.example.svc.cluster.local/hello' });
  });
});

describe('deploy/knative/', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'livepipe-knative-'));
    await exportKnativeCommand(DEMO, { ...DEMO_OPTIONS, out }, silent);
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('is exactly what `livepipe export knative` writes for the demo pipeline now (no drift)', async () => {
    const committed = (await readdir('deploy/knative')).filter((f) => f.endsWith('.yaml')).sort();
    const fresh = (await readdir(out)).sort();
    expect(committed).toEqual(fresh);
    for (const file of fresh) {
      expect(
        await readFile(join('deploy/knative', file), 'utf8'),
        `deploy/knative/${file} is stale: run the command in its header`,
      ).toBe(await readFile(join(out, file), 'utf8'));
    }
  });

  it('records in each file the command that regenerates it', async () => {
    for (const file of await readdir(out)) {
      expect(await readFile(join(out, file), 'utf8')).toMatch(
        /^# Generated by `livepipe export knative pipelines\/live-interaction\.yaml --kafka-bootstrap my-cluster-kafka-bootstrap\.kafka:9092 --kafka-topic live-interactions`/,
      );
    }
  });
});
