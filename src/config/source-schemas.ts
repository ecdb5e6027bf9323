// Schemas of the broker-facing sections: the kafka, rocketmq and http sources and the kafka sink.
// Names follow Knative's KafkaSource where one exists (consumerGroup, initialOffset, ordering).
import { z } from 'zod';
import { durationSchema } from './duration-schema.js';

const durationMs = durationSchema();

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092');

export const saslSchema = z.strictObject({
  mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism.'),
  username: z.string().min(1).describe('SASL user name.'),
  passwordEnv: z
    .string()
    .min(1)
    .describe('Name of the environment variable holding the password (never the password itself in the file).'),
});

export const tlsSchema = z.union([
  z.boolean(),
  z.strictObject({
    ca: z.string().optional().describe('PEM file of the certificate authority to trust.'),
    cert: z.string().optional().describe('PEM file of the client certificate (mutual TLS).'),
    key: z.string().optional().describe('PEM file of the client key (mutual TLS).'),
    rejectUnauthorized: z.boolean().default(true).describe('Refuse a broker certificate that the CA does not sign.'),
  }),
]);

export const kafkaConnectionSchema = z.strictObject({
  brokers: z.array(hostPort).min(1).default(['127.0.0.1:9092']).describe('Bootstrap brokers, host:port.'),
  clientId: z.string().min(1).default('livepipe').describe('Kafka client id (broker logs and quotas).'),
  sasl: saslSchema.optional(),
  tls: tlsSchema.optional().describe('true: TLS with the system CAs; an object: TLS with these files.'),
});

export const kafkaSourceSchema = z.strictObject({
  ...kafkaConnectionSchema.shape,
  topics: z.array(z.string().min(1)).min(1).describe('Topics to consume.'),
  consumerGroup: z
    .string()
    .min(1)
    .default('livepipe')
    .describe('Kafka consumer group; instances of one pipeline share it and split the partitions.'),
  initialOffset: z
    .enum(['earliest', 'latest'])
    .default('latest')
    .describe('Where a new consumer group starts (Knative KafkaSource initialOffset).'),
  ordering: z
    .enum(['ordered', 'unordered'])
    .default('unordered')
    .describe('Knative delivery order: ordered = one event at a time per partition; unordered = concurrent.'),
  maxInFlight: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe('Events in flight per partition when unordered.'),
  namespace: z
    .string()
    .min(1)
    .default('default')
    .describe('Knative identity used for the CloudEvent source of plain records.'),
  keyType: z
    .enum(['string', 'int', 'float', 'byte-array'])
    .default('string')
    .describe("How record keys are read (Knative's key-type label)."),
  deadLetterTopic: z
    .string()
    .min(1)
    .optional()
    .describe('Topic for records that cannot be decoded or delivered (poison records), with the reason.'),
  commitInterval: durationMs
    .default(100)
    .describe('How often completed offsets are committed (at-least-once: only offsets below every unfinished event).'),
  sessionTimeout: durationMs
    .default(30_000)
    .describe('A member silent this long leaves the group and its partitions move (Kafka allows 6s–5m by default).'),
  drainTimeout: durationMs
    .default(10_000)
    .describe(
      'On stop, how long in-flight deliveries may take before the consumer leaves without them (they are re-read later).',
    ),
});

export const rocketmqSourceSchema = z.strictObject({
  endpoints: hostPort.default('127.0.0.1:8081').describe('The RocketMQ 5 gRPC proxy.'),
  namespace: z.string().default('').describe('RocketMQ namespace of the topic and group.'),
  topic: z.string().min(1).describe('Topic to consume (create it before the pipeline starts).'),
  consumerGroup: z
    .string()
    .min(1)
    .default('livepipe')
    .describe('RocketMQ consumer group; a new group starts at the oldest message the broker still holds.'),
  tag: z.string().min(1).default('*').describe('Tag expression, e.g. "*" or "comment || gift".'),
  invisibleDuration: durationMs
    .refine(
      (ms) => ms >= 10_000,
      'the RocketMQ proxy refuses an invisibleDuration under 10s (minInvisibleTimeMillsForRecv); use "10s" or more',
    )
    .default(30_000)
    .describe('How long a received message stays invisible to other consumers before it is redelivered.'),
  batchSize: z.number().int().min(1).max(32).default(32).describe('Messages per receive call.'),
  maxInFlight: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe('Messages received but not yet acknowledged, at most.'),
  receivers: z
    .number()
    .int()
    .min(1)
    .max(16)
    .default(4)
    .describe('Concurrent receive calls (each long-polls one queue of the topic).'),
  awaitDuration: durationMs
    .refine(
      (ms) => ms >= 3_000,
      'the RocketMQ proxy refuses long polls under about 3s ("deadline time remaining is not enough"); use "3s" or more',
    )
    .default(5_000)
    .describe('How long one receive call waits for messages (long polling) before it returns empty.'),
  drainTimeout: durationMs
    .default(10_000)
    .describe(
      'On stop, how long in-flight deliveries may take before the consumer leaves without them (they come back after invisibleDuration).',
    ),
  deadLetterTopic: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Topic (NORMAL) for messages that cannot be decoded (poison messages): the raw body, the reason as properties.',
    ),
});

export const httpSourceSchema = z.strictObject({
  host: z.string().default('127.0.0.1').describe('Interface to listen on.'),
  port: z.number().int().min(0).max(65_535).default(8090).describe('Port to listen on; 0 picks a free one.'),
  path: z.string().startsWith('/').default('/').describe('Path that takes POSTed CloudEvents.'),
  maxBodyBytes: z.number().int().min(1).default(1_048_576).describe('Larger request bodies are refused with 413.'),
  tokenEnv: z
    .string()
    .min(1)
    .optional()
    .describe('Environment variable holding a bearer token that clients must send.'),
});

export const kafkaSinkSchema = z.strictObject({
  ...kafkaConnectionSchema.shape,
  topic: z.string().min(1).describe('Topic the events are written to, as binary-mode CloudEvents records.'),
  linger: durationMs
    .default(2)
    .describe('Events sent within this window go to the broker as one request (each send() still waits for its ack).'),
});

export type KafkaSourceSpec = z.output<typeof kafkaSourceSchema>;
export type KafkaConnectionSpec = z.output<typeof kafkaConnectionSchema>;
export type RocketmqSourceSpec = z.output<typeof rocketmqSourceSchema>;
export type HttpSourceSpec = z.output<typeof httpSourceSchema>;
export type KafkaSinkSpec = z.output<typeof kafkaSinkSchema>;

export const SOURCE_KINDS = ['generator', 'kafka', 'rocketmq', 'http'] as const;
