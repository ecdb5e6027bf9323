// At-least-once across a crash: a pipeline process relays a Kafka topic to another through the
// Kafka sink, is killed with SIGKILL mid-stream and restarted; every produced id must come out
// at least once (duplicates are allowed, counted and reported), and the restart resumes from the
// committed offsets rather than from the beginning.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produceInteractions, produceSimulatorSpec } from '../../src/cli/produce-command.js';
import { InteractionSimulator } from '../../src/sources/generator.js';
import { KAFKA_BROKER, kafkaAvailable } from './kafka-broker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/kafka/kafka-relay-pipeline.yaml', import.meta.url));

const kafkaUp = await kafkaAvailable('Kafka at-least-once test');

const EVENTS = 6_000;
const SIMULATION = { seed: 5, streams: 6, rate: 1_500 };

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** `livepipe run` from the sources (tsx), so the test needs no build; output kept for failure messages. */
function runPipeline(file: string, output: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'run', file, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

describe.skipIf(!kafkaUp)('Kafka source at least once across a SIGKILL', () => {
  const run = randomUUID().slice(0, 8);
  const input = `lp-kafka-relay-in-${run}`;
  const output = `lp-kafka-relay-out-${run}`;
  const kafka = new Kafka({ clientId: 'livepipe-kafka-crash-test', brokers: [KAFKA_BROKER], logLevel: logLevel.WARN });
  let admin: Admin;
  let reader: Consumer | undefined;
  let directory: string | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: input, numPartitions: 3 },
        { topic: output, numPartitions: 3 },
      ],
    });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await reader?.disconnect();
    if (directory) await rm(directory, { recursive: true, force: true });
    if (admin) {
      await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('relays every produced id at least once when the pipeline is killed mid-stream and restarted', async () => {
    directory = await mkdtemp(join(tmpdir(), 'livepipe-kafka-'));
    const file = join(directory, 'relay.yaml');
    const yaml = (await readFile(FIXTURE, 'utf8'))
      .replaceAll('__TOPIC__', input)
      .replaceAll('__OUT_TOPIC__', output)
      .replaceAll('__GROUP__', `lp-relay-${run}`);
    await writeFile(file, yaml);

    const simulator = new InteractionSimulator(produceSimulatorSpec(SIMULATION));
    const expected = Array.from({ length: EVENTS }, () => simulator.next().event.id);

    const relayed = new Map<string, number>();
    reader = kafka.consumer({ groupId: `lp-relay-reader-${run}` });
    await reader.connect();
    await reader.subscribe({ topic: output, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.ce_id?.toString();
        if (id !== undefined) relayed.set(id, (relayed.get(id) ?? 0) + 1);
      },
    });

    const logs: string[] = [];
    const first = runPipeline(file, logs);
    children.push(first);
    const producing = produceInteractions({
      topic: input,
      brokers: [KAFKA_BROKER],
      count: EVENTS,
      mode: 'binary',
      progressEvery: 0,
      ...SIMULATION,
    });

    await waitFor(() => relayed.size >= EVENTS / 4, 60_000);
    const beforeKill = relayed.size;
    expect(
      beforeKill,
      `the first pipeline relayed too little before the kill:\n${logs.join('')}`,
    ).toBeGreaterThanOrEqual(EVENTS / 4);
    first.kill('SIGKILL');
    await exited(first);
    expect(first.signalCode).toBe('SIGKILL');
    const atKill = relayed.size;
    expect(atKill, 'the kill came after everything was relayed; it must land mid-stream').toBeLessThan(EVENTS);

    const second = runPipeline(file, logs);
    children.push(second);
    await producing;
    await waitFor(() => expected.every((id) => relayed.has(id)), 90_000);
    second.kill('SIGTERM');
    await exited(second);

    const missing = expected.filter((id) => !relayed.has(id));
    expect(missing.slice(0, 10), `${missing.length} ids lost:\n${logs.join('').slice(-4000)}`).toEqual([]);
    let duplicates = 0;
    for (const count of relayed.values()) duplicates += count - 1;
    console.log(
      `kafka at-least-once: ${EVENTS} produced, ${atKill} relayed before SIGKILL, ${duplicates} duplicates after the restart, 0 lost`,
    );
    // Commits happened before the crash: the restart re-read far less than it had already relayed.
    expect(duplicates).toBeLessThan(atKill);
  }, 180_000);
});
