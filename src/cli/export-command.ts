// `livepipe export knative <pipeline>`: the pipeline's Knative manifests, as one multi-document stream on
// stdout or one file per resource group under --out. The header records the command, not --out, so the
// committed files compare equal to a fresh run wherever it writes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { loadPipeline } from '../config/load-pipeline.js';
import { LivepipeError } from '../errors.js';
import { exportKnative, renderKnativeExport, renderKnativeFile, type KnativeExportOptions } from '../export/knative.js';
import type { CommandOutput } from './validate-command.js';

export interface ExportKnativeCommandOptions {
  namespace?: string;
  image?: string;
  /** Write one file per resource group here instead of stdout. */
  out?: string;
  /** Comma-separated host:port list, with kafkaTopic: a KafkaSource replacing local-only sources. */
  kafkaBootstrap?: string;
  kafkaTopic?: string;
  /** Repository root that the image's /app holds (default: the current directory). */
  root?: string;
}

/** Exports; returns the exit code. Config problems throw (the CLI prints LivepipeErrors). */
export async function exportKnativeCommand(
  file: string,
  options: ExportKnativeCommandOptions,
  out: CommandOutput,
): Promise<number> {
  const root = options.root ?? process.cwd();
  const pipeline = await loadPipeline(file);
  const exportOptions: KnativeExportOptions = { root, command: commandLine(file, options, root) };
  if (options.namespace !== undefined) exportOptions.namespace = options.namespace;
  if (options.image !== undefined) exportOptions.image = options.image;
  const kafka = kafkaOption(options);
  if (kafka !== undefined) exportOptions.kafka = kafka;
  const result = exportKnative(pipeline, exportOptions);

  if (options.out === undefined) {
    out.stdout.write(renderKnativeExport(result));
  } else {
    await mkdir(options.out, { recursive: true });
    for (const manifest of result.files) {
      await writeFile(join(options.out, manifest.name), renderKnativeFile(manifest, result.header));
    }
    out.stderr.write(`livepipe export: wrote ${result.files.map((f) => join(options.out!, f.name)).join(', ')}\n`);
  }
  for (const kept of result.kept) {
    out.stderr.write(
      `livepipe export: trigger "${kept.trigger}": CEL ${JSON.stringify(kept.cel)} stays with livepipe's router (${kept.why})\n`,
    );
  }
  return 0;
}

function kafkaOption(options: ExportKnativeCommandOptions): KnativeExportOptions['kafka'] {
  const { kafkaBootstrap, kafkaTopic } = options;
  if (kafkaBootstrap === undefined && kafkaTopic === undefined) return undefined;
  if (kafkaBootstrap === undefined || kafkaTopic === undefined || kafkaTopic === '') {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      'give --kafka-bootstrap and --kafka-topic together, e.g. --kafka-bootstrap my-kafka:9092 --kafka-topic live-interactions',
    );
  }
  const bootstrapServers = kafkaBootstrap
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
  const bad = bootstrapServers.find((server) => !/^[^\s:]+:\d{1,5}$/.test(server));
  if (bootstrapServers.length === 0 || bad !== undefined) {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      `--kafka-bootstrap expects host:port[,host:port…], got "${bad ?? kafkaBootstrap}"`,
    );
  }
  return { bootstrapServers, topic: kafkaTopic };
}

/** The reproducible command: the pipeline path relative to the root, and every option but --out. */
function commandLine(file: string, options: ExportKnativeCommandOptions, root: string): string {
  const words = ['livepipe export knative', relative(root, file).split(sep).join('/')];
  if (options.namespace !== undefined) words.push('--namespace', options.namespace);
  if (options.image !== undefined) words.push('--image', options.image);
  if (options.kafkaBootstrap !== undefined) words.push('--kafka-bootstrap', options.kafkaBootstrap);
  if (options.kafkaTopic !== undefined) words.push('--kafka-topic', options.kafkaTopic);
  return words.join(' ');
}
