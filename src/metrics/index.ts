// The metrics stage's public surface: registry, latency budgets, status line, /metrics handler.
export {
  PipelineMetrics,
  STAGE_DURATION_BUCKETS,
  BATCH_SIZE_BUCKETS,
  type PipelineMetricsOptions,
  type PoolGauges,
} from './pipeline-metrics.js';
export { LatencyBudget } from './latency-budget.js';
export { RollingPercentiles } from './rolling-percentiles.js';
export { formatStatus, type PoolStatus, type StatusSnapshot, type StageStatus } from './status-line.js';
export { createMetricsHandler, type MetricsHandler } from './metrics-handler.js';
export { STAGES, type Stage } from './stages.js';
export { MetricsServer } from './metrics-server.js';
