// The Kubernetes/Knative resource shapes the exporter writes, as plain typed objects; only the fields
// livepipe sets. References: serving.knative.dev/v1 Service, eventing.knative.dev/v1 Broker/Trigger,
// sources.knative.dev/v1beta1 KafkaSource (the version eventing-kafka-broker serves), apps/v1, v1.
import type { KnativeFilter } from './knative-filters.js';

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KReference {
  apiVersion: string;
  kind: string;
  name: string;
}

/** Knative's Destination: a ref (with an optional relative uri appended) or an absolute uri. */
export interface Destination {
  ref?: KReference;
  uri?: string;
}

export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface TriggerResource extends Resource {
  spec: {
    broker: string;
    filter?: { attributes: Record<string, string> };
    filters?: KnativeFilter[];
    subscriber: Destination;
  };
}

export const API = {
  broker: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker' },
  trigger: { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger' },
  kafkaSource: { apiVersion: 'sources.knative.dev/v1beta1', kind: 'KafkaSource' },
  knativeService: { apiVersion: 'serving.knative.dev/v1', kind: 'Service' },
  deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  service: { apiVersion: 'v1', kind: 'Service' },
  configMap: { apiVersion: 'v1', kind: 'ConfigMap' },
} as const;

/** Knative serving's autoscaling annotation keys (serving/pkg/apis/autoscaling). */
export const AUTOSCALING = {
  class: 'autoscaling.knative.dev/class',
  metric: 'autoscaling.knative.dev/metric',
  target: 'autoscaling.knative.dev/target',
  targetUtilization: 'autoscaling.knative.dev/target-utilization-percentage',
  minScale: 'autoscaling.knative.dev/min-scale',
  maxScale: 'autoscaling.knative.dev/max-scale',
  window: 'autoscaling.knative.dev/window',
  panicWindow: 'autoscaling.knative.dev/panic-window-percentage',
  panicThreshold: 'autoscaling.knative.dev/panic-threshold-percentage',
  scaleToZeroRetention: 'autoscaling.knative.dev/scale-to-zero-pod-retention-period',
} as const;

export const KPA_CLASS = 'kpa.autoscaling.knative.dev';

/** eventing-kafka-broker's per-source (and per-trigger) delivery order annotation. */
export const KAFKA_DELIVERY_ORDER = 'kafka.eventing.knative.dev/delivery.order';
