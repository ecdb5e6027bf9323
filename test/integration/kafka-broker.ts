// Shared by the Kafka integration tests: is the local broker (deploy/local/kafka) up — fail in CI,
// skip elsewhere and say how to start it.
import { connect } from 'node:net';

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
