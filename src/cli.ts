#!/usr/bin/env node
// The livepipe command: run a pipeline, validate pipeline files. User errors (LivepipeError)
// print as one clear message and exit 1; anything else is a bug and keeps its stack.
import { Command } from 'commander';
import { loadPipeline } from './config/index.js';
import { isLivepipeError } from './errors.js';
import { LivePipeline } from './pipeline.js';
import { validateCommand } from './cli/validate-command.js';
import { exportKnativeCommand } from './cli/export-command.js';
import { registerWorkerCommand } from './cli/worker-command.js';
import { produceCommand } from './cli/produce-command.js';
import { parseDuration } from './config/duration.js';
import { serveModelCommand } from './cli/serve-model-command.js';
import { registerBenchCommand } from './cli/bench-command.js';

const program = new Command();
program
  .name('livepipe')
  .description('AI live-stream interaction pipeline: CloudEvents → triggers → ONNX pools → overlay');

program
  .command('validate')
  .description('check pipeline files and report every error with file:line')
  .argument('<files...>', 'pipeline YAML files')
  .action(async (files: string[]) => {
    process.exitCode = await validateCommand(files, { stdout: process.stdout, stderr: process.stderr });
  });

program
  .command('produce')
  .description('publish simulated interactions to a Kafka (or RocketMQ) topic at a set rate, to feed a pipeline')
  .option('--kafka <topic>', 'Kafka topic to publish to')
  .option('--brokers <list>', 'Kafka brokers, host:port[,host:port]', '127.0.0.1:9092')
  .option('--rocketmq <topic>', 'RocketMQ topic to publish to (instead of --kafka)')
  .option('--endpoints <host:port>', 'RocketMQ gRPC proxy', '127.0.0.1:8081')
  .option('--rate <n>', 'interactions per second', '1000')
  .option('--count <n>', 'stop after this many (default 10000 when --for is not given)')
  .option('--for <duration>', 'stop after this long, e.g. 30s')
  .option('--seed <n>', 'seed of the simulated audience', '42')
  .option('--streams <n>', 'simulated live streams', '3')
  .option('--mode <mode>', 'binary | structured CloudEvents, or plain JSON records (Kafka only)', 'binary')
  .action(async (options: Record<string, string | undefined>) => {
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    process.exitCode = await produceCommand(options, { stdout: process.stdout, stderr: process.stderr }, abort.signal);
  });

program
  .command('run')
  .description('run a pipeline until Ctrl-C (SIGINT/SIGTERM drain in-flight events first)')
  .argument('<file>', 'pipeline YAML file')
  .option('-p, --port <port>', 'overlay/metrics HTTP port (overrides overlay.port; 0 = any free port)')
  .option('--for <duration>', 'stop after this long, e.g. 30s (default: run until stopped)')
  .action(async (file: string, options: { port?: string; for?: string }) => {
    const spec = await loadPipeline(file);
    const port = options.port === undefined ? undefined : parsePort(options.port);
    const runFor = options.for === undefined ? undefined : parseDurationOption(options.for);
    const pipeline = new LivePipeline(spec, { port, onStatus: (line) => console.log(line) });
    let stopping: Promise<void> | undefined;
    const stop = (why: string): Promise<void> => {
      stopping ??= (async () => {
        console.log(`livepipe: ${why}, draining…`);
        await pipeline.stop();
        console.log('livepipe: stopped');
      })();
      return stopping;
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    await pipeline.start();
    printWhereToLook(pipeline);
    if (runFor !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, runFor));
      console.log(pipeline.statusLine());
      await stop(`ran for ${options.for}`);
    }
  });

function printWhereToLook(pipeline: LivePipeline): void {
  const { spec, overlay } = pipeline;
  console.log(`livepipe: pipeline "${spec.metadata.name}" running (${spec.file})`);
  for (const stream of pipeline.streams()) console.log(`  overlay  ${stream.padEnd(10)} ${overlay.overlayUrl(stream)}`);
  for (const { source, url } of pipeline.ingressUrls())
    console.log(`  ingress  ${source.padEnd(10)} ${url} (CloudEvents over HTTP)`);
  console.log(`  index    ${overlay.url}/`);
  console.log(`  metrics  ${pipeline.metricsUrl()}`);
  console.log(`  status every ${spec.metrics.statusEvery / 1000}s; Ctrl-C drains and stops`);
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`--port expects an integer 0–65535, got "${text}"`);
  return port;
}

function parseDurationOption(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) fail(`--for expects a duration such as 30s or 2m, got "${text}"`);
  return ms;
}

function fail(message: string): never {
  console.error(`livepipe: ${message}`);
  process.exit(1);
}

registerWorkerCommand(program);

program
  .command('export')
  .description('generate deployment manifests from a pipeline file')
  .command('knative')
  .description(
    'Knative manifests: Broker, Triggers (filters incl. CEL→CESQL), KafkaSources, model Services, the router',
  )
  .argument('<file>', 'pipeline YAML file')
  .option('--namespace <namespace>', 'namespace of every resource (default: default)')
  .option('--image <image>', 'livepipe container image')
  .option('--out <dir>', 'write one file per resource group here (default: stdout)')
  .option(
    '--kafka-bootstrap <list>',
    'with --kafka-topic: read this Kafka (host:port[,…]) instead of local-only sources',
  )
  .option('--kafka-topic <topic>', 'with --kafka-bootstrap: the topic of viewer interactions')
  .action(
    async (
      file: string,
      options: { namespace?: string; image?: string; out?: string; kafkaBootstrap?: string; kafkaTopic?: string },
    ) => {
      process.exitCode = await exportKnativeCommand(file, options, { stdout: process.stdout, stderr: process.stderr });
    },
  );

program
  .command('serve-model')
  .description(
    'serve one model as an HTTP CloudEvents service (a Knative Service): POST an event with data.text, get the result event as the reply',
  )
  .requiredOption('--model <manifest>', 'model manifest YAML, e.g. models/chat-sentiment.yaml')
  .option('--host <host>', 'address to listen on', '0.0.0.0')
  .option('--port <port>', 'port to listen on (default: $PORT, else 8080; 0 = any free port)')
  .option('--workers <n>', 'inference worker threads', '2')
  .option('--concurrency <n>', 'requests in flight at most; more are answered 429 with Retry-After', '64')
  .option(
    '--result-type <type>',
    'type of the reply events (default: $LIVEPIPE_RESULT_TYPE, else ai.<manifest name>.result)',
  )
  .action(
    async (options: {
      model: string;
      host: string;
      port?: string;
      workers: string;
      concurrency: string;
      resultType?: string;
    }) => {
      await serveModelCommand({
        ...options,
        port: options.port ?? process.env.PORT,
        resultType: options.resultType ?? process.env.LIVEPIPE_RESULT_TYPE,
      });
    },
  );

registerBenchCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isLivepipeError(error)) {
    console.error(`livepipe: ${error.code}: ${error.message}`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(
      `livepipe: ${(error as Error).message} — another process holds the port; set overlay.port in the pipeline or pass --port`,
    );
  } else {
    console.error(error);
    process.exitCode = 2;
    return;
  }
  process.exitCode = 1;
  // Workers or servers may still be open after a failed start; leave promptly.
  setTimeout(() => process.exit(), 100).unref();
});
