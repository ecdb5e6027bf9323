// Checks that need the whole pipeline, after the schema passed: names are unique, subscribers
// name models and aggregations that exist, model manifests resolve to files on disk; each model's
// result type is settled (`ai.<manifest name>.result` unless `resultType` is set).
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { resultTypeOf } from '../inference/result-event.js';
import type { ConfigIssue } from './config-error.js';
import { formatFieldPath, type FieldPath } from './field-path.js';
import { readManifestIdentity } from './manifest-identity.js';
import type { PipelineSpec } from './schema.js';
import type { SourceLocator } from './source-locator.js';

export interface CrossReferenceContext {
  file: string;
  locator: SourceLocator;
  /** Whether to require model manifests to exist (tools that only read the file can skip it). */
  checkManifests: boolean;
}

/** Reports problems as issues and returns the spec with manifests made absolute. */
export function checkCrossReferences(
  spec: PipelineSpec,
  context: CrossReferenceContext,
): { spec: PipelineSpec; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const report = (path: FieldPath, message: string): void => {
    const { line, column } = context.locator.valueAt(path);
    issues.push({ file: context.file, line, column, path: formatFieldPath(path), message });
  };

  for (const section of ['sources', 'models', 'triggers', 'aggregations'] as const) {
    const firstIndex = new Map<string, number>();
    spec[section].forEach((entry, index) => {
      const earlier = firstIndex.get(entry.name);
      if (earlier === undefined) firstIndex.set(entry.name, index);
      else
        report(
          [section, index, 'name'],
          `duplicate name "${entry.name}": ${section}[${earlier}] already uses it; names must be unique within ${section}`,
        );
    });
  }

  const models = new Set(spec.models.map((model) => model.name));
  const aggregations = new Set(spec.aggregations.map((aggregation) => aggregation.name));
  spec.triggers.forEach((trigger, index) => {
    const subscriber = trigger.subscriber;
    if ('model' in subscriber && !models.has(subscriber.model)) {
      report(
        ['triggers', index, 'subscriber', 'model'],
        `no model named "${subscriber.model}"; ${known('models', models)}`,
      );
    }
    if ('aggregate' in subscriber && !aggregations.has(subscriber.aggregate)) {
      report(
        ['triggers', index, 'subscriber', 'aggregate'],
        `no aggregation named "${subscriber.aggregate}"; ${known('aggregations', aggregations)}`,
      );
    }
  });

  const pipelineDirectory = dirname(resolve(context.file));
  const resolvedModels = spec.models.map((model, index) => {
    const manifest = resolve(pipelineDirectory, model.manifest);
    // Manifests are committed (models/*.yaml), never built or fetched: a missing one is a wrong
    // path, whatever the model. Its ONNX file is another matter (`livepipe validate` opens it).
    if (context.checkManifests && !existsSync(manifest)) {
      const fix = isAbsolute(model.manifest)
        ? 'check the path'
        : `the path is relative to the pipeline file (${pipelineDirectory}), e.g. ../models/chat-sentiment.yaml from pipelines/`;
      report(['models', index, 'manifest'], `no manifest at ${manifest}; ${fix}`);
    }
    // Filled here so every reader of the loaded pipeline (run, export) uses the one rule.
    return { ...model, manifest, resultType: resultTypeOf(readManifestIdentity(manifest).name, model.resultType) };
  });

  return { spec: { ...spec, models: resolvedModels }, issues };
}

function known(section: string, names: ReadonlySet<string>): string {
  return names.size === 0 ? `the pipeline declares no ${section}` : `declared ${section}: ${[...names].join(', ')}`;
}
