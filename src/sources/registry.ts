// Maps a source's config key to the factory that builds it. A new source kind adds its schema to
// config/source-schemas.ts and one entry here.
import type { SourceSpec } from '../config/schema.js';
import { LivepipeError } from '../errors.js';
import { GeneratorSource } from './generator.js';
import { HttpIngressSource } from './http.js';
import { RocketmqSource } from './rocketmq.js';
import { KafkaSource } from './kafka.js';
import type { Source } from './source.js';

type Factories = {
  [Kind in Exclude<keyof SourceSpec, 'name'>]: (name: string, spec: NonNullable<SourceSpec[Kind]>) => Source;
};

const factories: Partial<Factories> = {
  generator: (name, spec) => new GeneratorSource(name, spec),
  rocketmq: (name, spec) => new RocketmqSource(name, spec),
  kafka: (name, spec) => new KafkaSource(name, spec),
  http: (name, spec) => {
    const token = spec.tokenEnv === undefined ? undefined : process.env[spec.tokenEnv];
    if (spec.tokenEnv !== undefined && !token) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `source "${name}": http.tokenEnv names ${spec.tokenEnv}, which is not set in the environment`,
      );
    }
    return new HttpIngressSource(name, {
      host: spec.host,
      port: spec.port,
      path: spec.path,
      maxBodyBytes: spec.maxBodyBytes,
      token,
    });
  },
};

export function createSource(spec: SourceSpec): Source {
  for (const kind of Object.keys(factories) as Array<keyof Factories>) {
    const kindSpec = spec[kind];
    if (kindSpec !== undefined)
      return (factories[kind] as (name: string, spec: unknown) => Source)(spec.name, kindSpec);
  }
  const written = Object.keys(spec).filter((key) => key !== 'name');
  throw new LivepipeError(
    'LP_CONFIG_INVALID',
    `source "${spec.name}": no source kind ${written.join(', ')} is available in this build`,
  );
}
