// One place that turns a kafka connection section (brokers, SASL, TLS) into a kafkajs client, shared
// by the Kafka source, the Kafka sinks (subscriber and dead-letter) and `livepipe produce`. Secrets
// come from the environment and PEM files are read here, at construction; kafkajs logs only warnings
// and errors, to stderr.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import { pino, type Logger } from 'pino';
import type { KafkaConnectionSpec } from '../../config/source-schemas.js';
import { LivepipeError, messageOf } from '../../errors.js';

let kafkaLogger: Logger | undefined;

/** The shared logger of the Kafka parts: pino, warn and above, on stderr (stdout is the CLI's). */
export function kafkaLog(): Logger {
  kafkaLogger ??= pino({ name: 'livepipe-kafka', level: 'warn' }, pino.destination(2));
  return kafkaLogger;
}

/**
 * Idempotent producers here keep the client's bounded retries on purpose: a send that finally fails
 * is dead-lettered (sink) or retried by the source, rather than hanging a pipeline's stop forever.
 */
const EXPECTED_WARNINGS = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

function kafkajsLogCreator(): (entry: LogEntry) => void {
  const logger = kafkaLog();
  return ({ level, label, log }) => {
    const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
    if (EXPECTED_WARNINGS.has(message)) return;
    const payload = { ...fields, kafkajs: label.toLowerCase() };
    if (level === logLevel.ERROR) logger.error(payload, message);
    else if (level === logLevel.WARN) logger.warn(payload, message);
    else logger.debug(payload, message);
  };
}

/**
 * Builds a kafkajs client for `owner` (e.g. `source "live"`, named in error messages). Throws a
 * LivepipeError when the SASL password variable is unset or a TLS file cannot be read.
 */
export function createKafkaClient(
  spec: KafkaConnectionSpec,
  owner: string,
  env: NodeJS.ProcessEnv = process.env,
): Kafka {
  const config: KafkaConfig = {
    clientId: spec.clientId,
    brokers: spec.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => kafkajsLogCreator(),
    retry: { initialRetryTime: 100, retries: 8 },
  };
  if (spec.sasl !== undefined) {
    const password = env[spec.sasl.passwordEnv];
    if (!password) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `${owner}: kafka.sasl.passwordEnv names ${spec.sasl.passwordEnv}, which is not set in the environment; export it before starting`,
      );
    }
    config.sasl = { mechanism: spec.sasl.mechanism, username: spec.sasl.username, password } as SASLOptions;
  }
  if (spec.tls === true) config.ssl = true;
  else if (spec.tls !== undefined && spec.tls !== false) {
    const tls = spec.tls;
    config.ssl = {
      rejectUnauthorized: tls.rejectUnauthorized,
      ca: tls.ca === undefined ? undefined : [readPem(tls.ca, 'ca', owner)],
      cert: tls.cert === undefined ? undefined : readPem(tls.cert, 'cert', owner),
      key: tls.key === undefined ? undefined : readPem(tls.key, 'key', owner),
    };
  }
  return new Kafka(config);
}

function readPem(path: string, field: string, owner: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new LivepipeError(
      'LP_CONFIG_INVALID',
      `${owner}: kafka.tls.${field} file ${path} cannot be read (${(error as Error).message}); give the path of a PEM file`,
    );
  }
}

/** A failed connect or subscribe, in words that say what to check. */
export function kafkaConnectError(owner: string, brokers: readonly string[], error: unknown): LivepipeError {
  const reason = messageOf(error);
  return new LivepipeError(
    'LP_BROKER_UNAVAILABLE',
    `${owner}: Kafka at ${brokers.join(', ')} failed (${reason}); check that a broker runs there (locally: \`npm run brokers:kafka\`) and that the topics exist`,
    { cause: error },
  );
}
