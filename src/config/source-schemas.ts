// Schemas of the broker-facing sections: the kafka, rocketmq and http sources and the kafka sink.
// Names follow Knative's KafkaSource where one exists (consumerGroup, initialOffset, ordering).
import { z } from 'zod';
import { durationSchema } from './duration-schema.js';

const durationMs = durationSchema();

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092');

export const saslSchema = z.strictObject({
  mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
  username: z.string().min(1),
  /** Name of the environment variable holding the password (never the password itself in the file). */
  passwordEnv: z.string().min(1),
});

export const tlsSchema = z.union([
  z.boolean(),
  z.strictObject({
    /** PEM files. */
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    rejectUnauthorized: z.boolean().default(true),
  }),
]);

export const kafkaConnectionSchema = z.strictObject({
  brokers: z.array(hostPort).min(1).default(['127.0.0.1:9092']),
  clientId: z.string().min(1).default('livepipe'),
  sasl: saslSchema.optional(),
  tls: tlsSchema.optional(),
});

export const kafkaSourceSchema = z.strictObject({
  ...kafkaConnectionSchema.shape,
  topics: z.array(z.string().min(1)).min(1),
  consumerGroup: z.string().min(1).default('livepipe'),
  /** Where a new consumer group starts (Knative KafkaSource initialOffset). */
  initialOffset: z.enum(['earliest', 'latest']).default('latest'),
  /** Knative delivery order: ordered = one event at a time per partition; unordered = concurrent. */
  ordering: z.enum(['ordered', 'unordered']).default('unordered'),
  /** Events in flight per partition when unordered. */
  maxInFlight: z.number().int().min(1).max(100_000).default(500),
  /** Knative identity used for the CloudEvent source of plain records. */
  namespace: z.string().min(1).default('default'),
  /** How record keys are read (Knative's key-type label). */
  keyType: z.enum(['string', 'int', 'float', 'byte-array']).default('string'),
  /** Topic for records that cannot be decoded or delivered (poison records), with the reason. */
  deadLetterTopic: z.string().min(1).optional(),
  /** How often completed offsets are committed (at-least-once: only offsets below every unfinished event). */
  commitInterval: durationMs.default(100),
  /** A member silent this long leaves the group and its partitions move (Kafka allows 6s–5m by default). */
  sessionTimeout: durationMs.default(30_000),
  /** On stop, how long in-flight deliveries may take before the consumer leaves without them (they are re-read later). */
  drainTimeout: durationMs.default(10_000),
});

export const rocketmqSourceSchema = z.strictObject({
  /** The RocketMQ 5 gRPC proxy. */
  endpoints: hostPort.default('127.0.0.1:8081'),
  namespace: z.string().default(''),
  topic: z.string().min(1),
  consumerGroup: z.string().min(1).default('livepipe'),
  /** Tag expression, e.g. "*" or "comment || gift". */
  tag: z.string().min(1).default('*'),
  /** How long a received message stays invisible to other consumers before it is redelivered. */
  invisibleDuration: durationMs
    .refine(
      (ms) => ms >= 10_000,
      'the RocketMQ proxy refuses an invisibleDuration under 10s (minInvisibleTimeMillsForRecv); use "10s" or more',
    )
    .default(30_000),
  /** Messages per receive call. */
  batchSize: z.number().int().min(1).max(32).default(32),
  /** Messages received but not yet acknowledged, at most. */
  maxInFlight: z.number().int().min(1).max(100_000).default(500),
  /** Concurrent receive calls (each long-polls one queue of the topic). */
  receivers: z.number().int().min(1).max(16).default(4),
  /** How long one receive call waits for messages (long polling) before it returns empty. */
  awaitDuration: durationMs
    .refine(
      (ms) => ms >= 3_000,
      'the RocketMQ proxy refuses long polls under about 3s ("deadline time remaining is not enough"); use "3s" or more',
    )
    .default(5_000),
  /** On stop, how long in-flight deliveries may take before the consumer leaves without them (they come back after invisibleDuration). */
  drainTimeout: durationMs.default(10_000),
  /** Topic (NORMAL) for messages that cannot be decoded (poison messages): the raw body, the reason as properties. */
  deadLetterTopic: z.string().min(1).optional(),
});

export const httpSourceSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8090),
  path: z.string().startsWith('/').default('/'),
  maxBodyBytes: z.number().int().min(1).default(1_048_576),
  /** Environment variable holding a bearer token that clients must send. */
  tokenEnv: z.string().min(1).optional(),
});

export const kafkaSinkSchema = z.strictObject({
  ...kafkaConnectionSchema.shape,
  topic: z.string().min(1),
  /** Events sent within this window go to the broker as one request (each send() still waits for its ack). */
  linger: durationMs.default(2),
});

export type KafkaSourceSpec = z.output<typeof kafkaSourceSchema>;
export type KafkaConnectionSpec = z.output<typeof kafkaConnectionSchema>;
export type RocketmqSourceSpec = z.output<typeof rocketmqSourceSchema>;
export type HttpSourceSpec = z.output<typeof httpSourceSchema>;
export type KafkaSinkSpec = z.output<typeof kafkaSinkSchema>;

export const SOURCE_KINDS = ['generator', 'kafka', 'rocketmq', 'http'] as const;
