// Shared by the Kafka integration tests: is the local broker (deploy/local/kafka) up — fail in CI,
// skip elsewhere and say how to start it — and the admin and producer a suite drives it with.
import { connect } from 'node:net';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';

export const KAFKA_HOST = '127.0.0.1';
export const KAFKA_PORT = 9092;
export const KAFKA_BROKER = `${KAFKA_HOST}:${KAFKA_PORT}`;
export const START_KAFKA = 'npm run brokers:kafka';

function brokerListening(timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: KAFKA_HOST, port: KAFKA_PORT });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether the suite can run: true when the broker answers. In CI an absent broker is a failure
 * (the suite must not pass by skipping); elsewhere the suite skips and says why.
 */
export async function kafkaAvailable(suite: string): Promise<boolean> {
  if (await brokerListening(1_000)) return true;
  const why = `nothing answers on ${KAFKA_BROKER}; start a broker with ${START_KAFKA}`;
  if (process.env.CI === 'true') throw new Error(`${suite}: CI=true requires Kafka, but ${why} before the tests.`);
  console.warn(`${suite} skipped: ${why}.`);
  return false;
}

/** A suite's clients on the local broker: `kafka` for consumers, an admin and a producer, connected. */
export interface KafkaTestClients {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  /** Disconnects the producer, deletes the suite's topics (best effort) and disconnects the admin. */
  close(topics: readonly string[]): Promise<void>;
}

export async function connectKafkaTestClients(clientId: string): Promise<KafkaTestClients> {
  const kafka = new Kafka({ clientId, brokers: [KAFKA_BROKER], logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await producer.connect();
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
  return {
    kafka,
    admin,
    producer,
    async close(topics) {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [...topics] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
