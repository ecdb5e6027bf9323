// `livepipe export knative`: a pipeline file as Knative resources — KafkaSources into a Broker, one Trigger
// per subscriber, each model as a scale-to-zero Knative Service (`livepipe serve-model`), and the router
// (aggregations, overlay hub, CEL that CESQL cannot say) as a Deployment. Generated, so the two never drift.
import { relative, sep } from 'node:path';
import { Document, stringify } from 'yaml';
import { LivepipeError } from '../errors.js';
import type { AutoscaleSpec, DeliverySpec, ModelSpec, Pipeline, SourceSpec, TriggerSpec } from '../config/schema.js';
import { knativeAnyOfTriggers, type KeptCelFilter } from './knative-filters.js';
import {
  API,
  AUTOSCALING,
  KAFKA_DELIVERY_ORDER,
  KPA_CLASS,
  type Destination,
  type ObjectMeta,
  type Resource,
  type TriggerResource,
} from './knative-resources.js';

export const DEFAULT_IMAGE = 'ghcr.io/livepipe/livepipe:0.1.0';
export const ROUTER_NAME = 'livepipe-router';
export const OVERLAY_SERVICE_NAME = 'livepipe-overlay';
const ROUTER_PIPELINE_CONFIG = 'livepipe-router-pipeline';
const ROUTER_INGRESS_PORT = 8090;
const OVERLAY_PORT = 8080;
const MODEL_PORT = 8080;
const MODEL_REQUEST_TIMEOUT_SECONDS = 30;
const KNATIVE_WINDOW_MIN_MS = 6_000;
const KNATIVE_WINDOW_MAX_MS = 3_600_000;

export interface KnativeExportOptions {
  /** Namespace of every resource (default "default"). */
  namespace?: string;
  /** The livepipe image (default DEFAULT_IMAGE). */
  image?: string;
  /** Directory the image's /app corresponds to, for model manifest paths (default: the current directory). */
  root?: string;
  /**
   * A Kafka topic that replaces the pipeline's local-only sources (the generator) on Knative: a KafkaSource
   * reads it into the Broker. Without it, a generator-only pipeline has no event source on Knative.
   */
  kafka?: { bootstrapServers: string[]; topic: string; consumerGroup?: string };
  /** The command line that produced the files, written at the top of each. */
  command?: string;
}

/** One output file: documents with their comments, in apply order. */
export interface KnativeManifestFile {
  /** File name under --out, e.g. "triggers.yaml". */
  name: string;
  /** A document without a resource is a comment block (e.g. why a source has no Knative form). */
  documents: Array<{ comment?: string; resource?: Resource }>;
}

export interface KnativeExport {
  /** Comment lines for the top of every file. */
  header: string;
  files: KnativeManifestFile[];
  /** CEL filters Knative cannot apply exactly (also written as comments). */
  kept: KeptCelFilter[];
}

/** Where a livepipe trigger's events go on Knative. */
type Route = { kind: 'model'; model: ModelSpec } | { kind: 'uri'; uri: string } | { kind: 'router' };

export function exportKnative(pipeline: Pipeline, options: KnativeExportOptions = {}): KnativeExport {
  const namespace = options.namespace ?? 'default';
  const image = options.image ?? DEFAULT_IMAGE;
  const root = options.root ?? process.cwd();
  const broker = pipeline.metadata.name;
  const meta = (name: string, extra: Partial<ObjectMeta> = {}): ObjectMeta => ({
    name,
    namespace,
    ...extra,
    labels: {
      'app.kubernetes.io/part-of': 'livepipe',
      'livepipe.dev/pipeline': pipeline.metadata.name,
      ...extra.labels,
    },
  });

  const groups = groupByDestination(pipeline);
  const routerTriggers = groups.get(ROUTER_NAME)?.triggers ?? [];
  const kept: KeptCelFilter[] = [];
  const triggerDocs: KnativeManifestFile['documents'] = [];
  for (const [destination, group] of groups) {
    const filter = knativeAnyOfTriggers(group.triggers);
    kept.push(...filter.kept);
    const names = group.triggers.map((t) => t.name);
    const name = group.triggers.length === 1 ? names[0]! : `${destination}-in`;
    const resource: TriggerResource = {
      ...API.trigger,
      metadata: meta(name, { annotations: { 'livepipe.dev/triggers': names.join(',') } }),
      spec: {
        broker,
        ...(filter.filter !== undefined ? { filter: filter.filter } : {}),
        ...(filter.filters !== undefined ? { filters: filter.filters } : {}),
        subscriber: group.subscriber,
        ...(group.route.kind === 'uri' && group.triggers[0]?.delivery !== undefined
          ? { delivery: knativeDelivery(group.triggers[0].delivery) }
          : {}),
      },
    };
    triggerDocs.push({ comment: triggerComment(names, group.route, filter.kept), resource });
  }

  const files: KnativeManifestFile[] = [
    {
      name: 'broker.yaml',
      documents: [
        {
          comment: brokerComment(),
          resource: {
            ...API.broker,
            metadata: meta(broker),
            spec: pipeline.delivery !== undefined ? { delivery: knativeDelivery(pipeline.delivery) } : {},
          },
        },
      ],
    },
    { name: 'sources.yaml', documents: sourceDocuments(pipeline, options, broker, meta) },
    {
      name: 'models.yaml',
      documents: pipeline.models.map((model) => modelDocument(model, image, root, meta)),
    },
    { name: 'triggers.yaml', documents: triggerDocs },
  ];
  if (routerTriggers.length > 0)
    files.push({ name: 'router.yaml', documents: routerDocuments(pipeline, routerTriggers, image, meta) });

  const header = [
    `Generated by \`${options.command ?? `livepipe export knative ${relative(root, pipeline.file).split(sep).join('/')}`}\` — do not edit;`,
    'change the pipeline file and run the command again.',
  ].join('\n');
  return { header, files: files.filter((file) => file.documents.length > 0 || file.name === 'sources.yaml'), kept };
}

/** One Knative Trigger per subscriber: an event two livepipe triggers share reaches that subscriber once. */
function groupByDestination(
  pipeline: Pipeline,
): Map<string, { route: Route; subscriber: Destination; triggers: TriggerSpec[] }> {
  const models = new Map(pipeline.models.map((model) => [model.name, model]));
  const groups = new Map<string, { route: Route; subscriber: Destination; triggers: TriggerSpec[] }>();
  for (const trigger of pipeline.triggers) {
    const route = routeOf(trigger, models);
    const key =
      route.kind === 'model' ? `model-${route.model.name}` : route.kind === 'uri' ? `uri-${route.uri}` : ROUTER_NAME;
    const group = groups.get(key);
    if (group !== undefined) {
      group.triggers.push(trigger);
      continue;
    }
    const subscriber: Destination =
      route.kind === 'model'
        ? { ref: { ...API.knativeService, name: route.model.name } }
        : route.kind === 'uri'
          ? { uri: route.uri }
          : { ref: { ...API.service, name: ROUTER_NAME }, uri: '/' };
    groups.set(key, { route, subscriber, triggers: [trigger] });
  }
  return groups;
}

function routeOf(trigger: TriggerSpec, models: ReadonlyMap<string, ModelSpec>): Route {
  const subscriber = trigger.subscriber as Record<string, unknown>;
  if (typeof subscriber.model === 'string') {
    const model = models.get(subscriber.model);
    if (model === undefined) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `trigger "${trigger.name}" names model "${subscriber.model}", which the pipeline does not define; run "livepipe validate" first`,
      );
    }
    return { kind: 'model', model };
  }
  if (typeof subscriber.uri === 'string') return { kind: 'uri', uri: subscriber.uri };
  // overlay, aggregate and kafka subscribers live in the router process.
  return { kind: 'router' };
}

function triggerComment(names: string[], route: Route, kept: KeptCelFilter[]): string {
  const lines = [
    names.length === 1
      ? `livepipe trigger "${names[0]}"`
      : `livepipe triggers ${names.map((n) => `"${n}"`).join(', ')}: one Knative Trigger for their common subscriber, so an event matching several is delivered once`,
  ];
  if (route.kind === 'model')
    lines.push('The model Service replies with its result event, which the Broker routes again.');
  for (const k of kept) {
    lines.push(`CEL ${JSON.stringify(k.cel)} (trigger "${k.trigger}") has no CESQL form: ${k.why}.`);
    lines.push(
      route.kind === 'router'
        ? 'Knative passes a superset here; livepipe-router applies the CEL filter exactly (its pipeline has this trigger).'
        : `WARNING: Knative passes a superset and this ${route.kind === 'model' ? 'model' : 'subscriber'} applies no CEL: it receives more events than the pipeline would send it.`,
    );
  }
  return lines.join('\n');
}

function brokerComment(): string {
  return [
    'The Broker is the router on Knative. Its class comes from the cluster default (config-br-defaults);',
    'a Kafka-backed broker (eventing.knative.dev/broker.class: Kafka) keeps events across restarts.',
  ].join('\n');
}

function sourceDocuments(
  pipeline: Pipeline,
  options: KnativeExportOptions,
  broker: string,
  meta: (name: string, extra?: Partial<ObjectMeta>) => ObjectMeta,
): KnativeManifestFile['documents'] {
  const sink: Destination = { ref: { ...API.broker, name: broker } };
  const documents: KnativeManifestFile['documents'] = [];
  const localOnly: string[] = [];
  for (const source of pipeline.sources) {
    const kafka = source.kafka;
    if (kafka !== undefined) {
      const notes = [
        `livepipe source "${source.name}" (kafka): records become CloudEvents (KafkaSource mapping) and go to the Broker.`,
      ];
      if (kafka.sasl !== undefined || kafka.tls !== undefined)
        notes.push(
          'SASL/TLS: add spec.net with secretKeyRef entries for your cluster (livepipe reads passwordEnv; Knative reads Secrets).',
        );
      if (kafka.deadLetterTopic !== undefined)
        notes.push(
          `deadLetterTopic "${kafka.deadLetterTopic}": set spec.delivery.deadLetterSink to a KafkaSink for that topic.`,
        );
      documents.push({
        comment: notes.join('\n'),
        resource: {
          ...API.kafkaSource,
          metadata: meta(source.name, { annotations: { [KAFKA_DELIVERY_ORDER]: kafka.ordering } }),
          spec: {
            consumerGroup: kafka.consumerGroup,
            bootstrapServers: kafka.brokers,
            topics: kafka.topics,
            initialOffset: kafka.initialOffset,
            sink,
          },
        },
      });
    } else {
      localOnly.push(describeLocalSource(source));
    }
  }
  if (localOnly.length > 0 && options.kafka !== undefined) {
    const name = `${pipeline.metadata.name}-kafka`;
    documents.push({
      comment: [
        `Replaces the pipeline's local-only sources (${localOnly.join('; ')}):`,
        `on Knative, interactions arrive on the Kafka topic "${options.kafka.topic}" (given on the command line).`,
      ].join('\n'),
      resource: {
        ...API.kafkaSource,
        metadata: meta(name, { annotations: { [KAFKA_DELIVERY_ORDER]: 'unordered' } }),
        spec: {
          consumerGroup: options.kafka.consumerGroup ?? name,
          bootstrapServers: options.kafka.bootstrapServers,
          topics: [options.kafka.topic],
          initialOffset: 'latest',
          sink,
        },
      },
    });
  } else if (localOnly.length > 0) {
    // A comment-only file still says why there is no source.
    documents.push({
      comment: [
        `No Knative source for: ${localOnly.join('; ')}.`,
        'These run only inside `livepipe run`. Pass --kafka-topic and --kafka-bootstrap to read a topic instead,',
        'or POST CloudEvents to the Broker address (kubectl get broker).',
      ].join('\n'),
    });
  }
  return documents;
}

function describeLocalSource(source: SourceSpec): string {
  if (source.generator !== undefined) return `"${source.name}" (generator, local-only)`;
  if (source.http !== undefined) return `"${source.name}" (http: on Knative, POST to the Broker instead)`;
  if (source.rocketmq !== undefined) return `"${source.name}" (rocketmq: Knative has no RocketMQ source here)`;
  return `"${source.name}"`;
}

function modelDocument(
  model: ModelSpec,
  image: string,
  root: string,
  meta: (name: string, extra?: Partial<ObjectMeta>) => ObjectMeta,
): KnativeManifestFile['documents'][number] {
  const manifest = imagePath(model.manifest, root, model.name);
  const resultType = model.resultType ?? `ai.${model.name}.result`;
  const scale = model.autoscale;
  const comment = [
    `livepipe model "${model.name}": \`livepipe serve-model\` answers each event with its ${resultType} event.`,
    scale.enabled
      ? `Scales ${scale.min}–${scale.max} pods like the pipeline's autoscale section (one pod = one worker).`
      : `autoscale.enabled is false in the pipeline: fixed at workers (${model.workers}) pods; enable it to let Knative scale.`,
    'Not expressible per Service: maxScaleUpRate/maxScaleDownRate (config-autoscaler), budgetPrediction and parkFor (livepipe only).',
  ].join('\n');
  return {
    comment,
    resource: {
      ...API.knativeService,
      metadata: meta(model.name, { labels: { 'networking.knative.dev/visibility': 'cluster-local' } }),
      spec: {
        template: {
          metadata: { annotations: autoscalingAnnotations(model, scale) },
          spec: {
            containerConcurrency: 0,
            // An answer takes milliseconds; the rest of this covers a cold start from zero.
            timeoutSeconds: MODEL_REQUEST_TIMEOUT_SECONDS,
            containers: [
              {
                name: 'model',
                image,
                args: ['serve-model', '--model', manifest, '--port', String(MODEL_PORT)],
                ports: [{ containerPort: MODEL_PORT }],
                env: [{ name: 'LIVEPIPE_RESULT_TYPE', value: resultType }],
                readinessProbe: { httpGet: { path: '/readyz' } },
                livenessProbe: { httpGet: { path: '/healthz' } },
                resources: { requests: { cpu: '1', memory: '256Mi' }, limits: { memory: '1Gi' } },
              },
            ],
          },
        },
      },
    },
  };
}

/** KPA annotations from the model's autoscale section, whose defaults are Knative's own. */
export function autoscalingAnnotations(model: ModelSpec, scale: AutoscaleSpec): Record<string, string> {
  if (scale.stableWindow < KNATIVE_WINDOW_MIN_MS || scale.stableWindow > KNATIVE_WINDOW_MAX_MS) {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      `model "${model.name}": autoscale.stableWindow is ${scale.stableWindow}ms, but Knative's window must be 6s to 1h; set it in that range to export`,
    );
  }
  const min = scale.enabled ? scale.min : model.workers;
  const max = scale.enabled ? scale.max : model.workers;
  return {
    [AUTOSCALING.class]: KPA_CLASS,
    [AUTOSCALING.metric]: 'concurrency',
    [AUTOSCALING.target]: formatNumber(scale.targetConcurrency),
    [AUTOSCALING.targetUtilization]: formatNumber(scale.targetUtilization * 100),
    [AUTOSCALING.minScale]: String(min),
    [AUTOSCALING.maxScale]: String(max),
    [AUTOSCALING.window]: formatDuration(scale.stableWindow),
    [AUTOSCALING.panicWindow]: scale.panicWindowPercentage.toFixed(1),
    [AUTOSCALING.panicThreshold]: (scale.panicThreshold * 100).toFixed(1),
    [AUTOSCALING.scaleToZeroRetention]: formatDuration(scale.scaleToZeroGracePeriod),
  };
}

function routerDocuments(
  pipeline: Pipeline,
  triggers: TriggerSpec[],
  image: string,
  meta: (name: string, extra?: Partial<ObjectMeta>) => ObjectMeta,
): KnativeManifestFile['documents'] {
  const selector = { 'app.kubernetes.io/name': ROUTER_NAME };
  const podLabels = { ...selector, 'app.kubernetes.io/part-of': 'livepipe' };
  return [
    {
      comment: [
        `The router's own pipeline: what Knative cannot do for "${pipeline.metadata.name}" — aggregations, the`,
        'overlay hub, and CEL filters with no CESQL form. Events arrive from the Broker on an HTTP source.',
      ].join('\n'),
      resource: {
        ...API.configMap,
        metadata: meta(ROUTER_PIPELINE_CONFIG),
        data: { 'pipeline.yaml': stringify(routerPipeline(pipeline, triggers), { lineWidth: 0 }) },
      },
    },
    {
      comment: [
        'A Deployment, not a Knative Service: overlay clients hold WebSockets open for the whole stream, and',
        "Knative's request timeouts, queue-proxy and scale-to-zero would cut them; rooms and aggregation",
        'windows live in this process, so it runs as one replica.',
      ].join('\n'),
      resource: {
        ...API.deployment,
        metadata: meta(ROUTER_NAME),
        spec: {
          replicas: 1,
          strategy: { type: 'Recreate' },
          selector: { matchLabels: selector },
          template: {
            metadata: { labels: podLabels },
            spec: {
              containers: [
                {
                  name: 'router',
                  image,
                  args: ['run', '/etc/livepipe/pipeline.yaml'],
                  ports: [
                    { name: 'ingress', containerPort: ROUTER_INGRESS_PORT },
                    { name: 'overlay', containerPort: OVERLAY_PORT },
                  ],
                  readinessProbe: { httpGet: { path: '/healthz', port: 'overlay' } },
                  livenessProbe: { httpGet: { path: '/healthz', port: 'overlay' }, periodSeconds: 10 },
                  resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1Gi' } },
                  volumeMounts: [{ name: 'pipeline', mountPath: '/etc/livepipe', readOnly: true }],
                },
              ],
              terminationGracePeriodSeconds: 30,
              volumes: [{ name: 'pipeline', configMap: { name: ROUTER_PIPELINE_CONFIG } }],
            },
          },
        },
      },
    },
    {
      comment: "The router's CloudEvents ingress: Triggers deliver here (port 80, so a Knative ref resolves to it).",
      resource: {
        ...API.service,
        metadata: meta(ROUTER_NAME),
        spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'ingress' }] },
      },
    },
    {
      comment:
        'The overlay hub: ws://…/ws?stream=<id>, the overlay pages, /metrics. Expose it with your Ingress or Gateway.',
      resource: {
        ...API.service,
        metadata: meta(OVERLAY_SERVICE_NAME),
        spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'overlay' }] },
      },
    },
  ];
}

/** The pipeline the router runs: an HTTP source for the Broker, no models, the triggers Knative hands it. */
export function routerPipeline(pipeline: Pipeline, triggers: readonly TriggerSpec[]): Record<string, unknown> {
  return {
    apiVersion: 'livepipe/v1',
    kind: 'Pipeline',
    metadata: {
      name: pipeline.metadata.name,
      description: `Router side of "${pipeline.metadata.name}" on Knative (generated).`,
    },
    sources: [{ name: 'knative-broker', http: { host: '0.0.0.0', port: ROUTER_INGRESS_PORT, path: '/' } }],
    triggers: triggers.map((trigger) => ({
      name: trigger.name,
      ...(trigger.filter !== undefined ? { filter: trigger.filter } : {}),
      ...(trigger.filters !== undefined ? { filters: trigger.filters } : {}),
      subscriber: trigger.subscriber,
      ...(trigger.delivery !== undefined ? { delivery: trigger.delivery } : {}),
    })),
    aggregations: pipeline.aggregations.map((a) => ({ ...a })),
    overlay: { host: '0.0.0.0', port: OVERLAY_PORT, snapshotSize: pipeline.overlay.snapshotSize },
    metrics: { statusEvery: pipeline.metrics.statusEvery },
    budgets: { ...pipeline.budgets },
    ...(pipeline.delivery !== undefined ? { delivery: pipeline.delivery } : {}),
  };
}

/** A manifest path as the image sees it: relative to /app, the Dockerfile's WORKDIR (paths are relative to it). */
function imagePath(manifest: string, root: string, model: string): string {
  const inside = relative(root, manifest).split(sep).join('/');
  if (inside.startsWith('../') || inside === '..' || inside.startsWith('/')) {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      `model "${model}": manifest ${manifest} is outside ${root}, so it is not in the image; keep manifests under the repository (e.g. models/) or pass --root`,
    );
  }
  return inside;
}

/** Knative's DeliverySpec (duck/v1): durations are ISO-8601; a dead-letter sink other than a URI stays a comment. */
export function knativeDelivery(delivery: DeliverySpec): Record<string, unknown> {
  const sink = delivery.deadLetterSink as Record<string, unknown> | undefined;
  return {
    retry: delivery.retry,
    backoffPolicy: delivery.backoffPolicy,
    backoffDelay: isoDuration(delivery.backoffDelay),
    timeout: isoDuration(delivery.timeout),
    ...(sink !== undefined && typeof sink.uri === 'string' ? { deadLetterSink: { uri: sink.uri } } : {}),
  };
}

function isoDuration(ms: number): string {
  return `PT${Number((ms / 1000).toFixed(3))}S`;
}

/** Go duration text, as Knative parses it. */
function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

/** One file's text: the header, then each document with its comment. */
export function renderKnativeFile(file: KnativeManifestFile, header: string): string {
  const parts: string[] = [];
  file.documents.forEach((entry, index) => {
    if (entry.resource === undefined) {
      parts.push(`${commentLines(index === 0 ? `${header}\n\n${entry.comment ?? ''}` : (entry.comment ?? ''))}\n`);
      return;
    }
    const doc = new Document(entry.resource);
    const comment = index === 0 ? `${header}\n\n${entry.comment ?? ''}` : entry.comment;
    if (comment !== undefined) doc.commentBefore = prefixSpace(comment);
    parts.push(doc.toString({ lineWidth: 0 }));
  });
  return parts.map((part, index) => (index === 0 ? part : `---\n${part}`)).join('');
}

/** All files as one multi-document stream, for stdout. */
export function renderKnativeExport(result: KnativeExport): string {
  return result.files.map((file) => renderKnativeFile(file, result.header)).join('---\n');
}

function commentLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '#' : `# ${line}`))
    .join('\n');
}

/** yaml writes `#` + the text; a leading space gives "# text". */
function prefixSpace(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : ` ${line}`))
    .join('\n');
}
