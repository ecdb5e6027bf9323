// Distributed inference: the router-side pool that sends batches through a BullMQ queue on Redis,
// the `livepipe worker` side that runs them, and what travels between the two.
export { DistributedPool, type DistributedPoolOptions, type DistributedPoolStats } from './distributed-pool.js';
export { BatchWorker, type BatchWorkerOptions, type BatchWorkerStats } from './batch-worker.js';
export type { ModelPool } from '../pool/model-pool.js';
export { ResultLedger, type LedgerBatch, type LedgerItem, type SettleOutcome } from './result-ledger.js';
export {
  batchJobData,
  checkBatchJobData,
  decodeBatchResult,
  encodeBatchResult,
  isValidQueueName,
  QUEUE_NAME,
  QUEUE_NAME_RULE,
  QUEUE_PREFIX,
  resultListKey,
  type BatchJobData,
  type BatchResultMessage,
} from './job-protocol.js';
export { RouterQueue, type QueueDepth, type RouterQueueOptions } from './router-queue.js';
export { connectRedis } from './redis-connection.js';
export { REDIS_URL, REDIS_URL_RULE } from '../../brokers/redis/redis-url.js';
export { WorkerProcessGroup, type WorkerProcessOptions, type WorkerProcessStats } from './worker-processes.js';
