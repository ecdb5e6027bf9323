// livepipe's public API: re-exports only. The CLI (src/cli.ts) is built on the same pieces.
export { LivePipeline, type PipelineRunOptions } from './pipeline.js';
export { LivepipeError, isLivepipeError, type ErrorCode } from './errors.js';
export { INGEST_TIME, CAUSE_ID, STREAM, type LiveEvent } from './events/cloudevent.js';
export {
  loadPipeline,
  parsePipeline,
  parseDuration,
  ConfigError,
  formatConfigIssue,
  pipelineSchema,
  type ConfigIssue,
  type Pipeline,
  type PipelineSpec,
} from './config/index.js';
export {
  compileTriggerFilter,
  Router,
  type FilterSpec,
  type TriggerFilterSpec,
  type FilterHooks,
  type RouterTrigger,
} from './router/index.js';
export type { Source, SourceContext } from './sources/source.js';
export {
  kafkaRecordToCloudEvent,
  createKafkaRecordDecoder,
  cloudEventToKafkaRecord,
  httpRequestToCloudEvents,
  cloudEventToHttpMessage,
  CloudEventDecodeError,
  type KafkaRecord,
} from './events/index.js';
export {
  retryDelayMs,
  knativeBackoffMs,
  type BackoffPolicy,
  type DeliverySpecRetry,
  type RetryCause,
} from './delivery/delivery-policy.js';
export { parseRetryAfter } from './delivery/retry-after.js';
export { HttpIngressSource, type HttpIngressOptions } from './sources/http.js';
export { GeneratorSource, InteractionSimulator } from './sources/generator.js';
export {
  InferencePool,
  PoolRejection,
  isPoolRejection,
  type InferenceInput,
  type InferenceResult,
  type PoolOptions,
} from './workers/index.js';
export {
  kpaScaleStep,
  kpaInitialPanicState,
  type KpaScaleInput,
  type KpaScaleResult,
} from './workers/autoscale/kpa.js';
export { EngagementAggregator } from './aggregate/index.js';
export { OverlayServer, type OverlayOptions } from './overlay/index.js';
export { PipelineMetrics, LatencyBudget, STAGES, type Stage } from './metrics/index.js';
