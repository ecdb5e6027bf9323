// Shared by the RocketMQ integration tests: is the local proxy up (fail in CI, skip elsewhere),
// fresh topics, a quiet client logger, and polling.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ENDPOINTS = '127.0.0.1:8081';
/** A topic the broker script creates on start; tests share it through unique tags and groups. */
export const SHARED_TOPIC = 'live-interactions';
export const RUN_ID = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
export const quietClientLogger = { info() {}, warn() {}, error() {}, debug() {} };

const SCRIPT = fileURLToPath(new URL('../../deploy/local/rocketmq', import.meta.url));

function proxyListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 8081, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Whether the tests can run: true when the proxy answers. In CI an absent broker is a failure
 * (the suite must not pass by skipping); elsewhere the tests skip and say why.
 */
export async function rocketmqAvailable(): Promise<boolean> {
  if (await proxyListening()) return true;
  const why = `RocketMQ proxy not reachable at ${ENDPOINTS}; start it with \`npm run brokers:rocketmq\``;
  if (process.env.CI === 'true') throw new Error(`${why} (CI=true: RocketMQ tests must run)`);
  console.warn(`skipping RocketMQ integration tests: ${why}`);
  return false;
}

/** Creates a NORMAL topic (about 10 s: the script waits until the route is visible). */
export async function createTopic(name: string): Promise<void> {
  await promisify(execFile)('bash', [SCRIPT, 'topic', name, 'NORMAL'], { timeout: 60_000 });
}

/** Polls until the condition holds or the time is up; the assertion after it says what is missing. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
