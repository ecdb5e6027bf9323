import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from '../../../src/config/config-error.js';
import { loadPipeline, parsePipeline } from '../../../src/config/load-pipeline.js';
import { LivepipeError } from '../../../src/errors.js';

const FIXTURES = 'test/fixtures/pipelines';

async function issuesOf(file: string): Promise<ConfigIssue[]> {
  try {
    await loadPipeline(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('LP_CONFIG_INVALID');
    return [...(error as ConfigError).issues];
  }
  throw new Error(`${file} was accepted`);
}

describe('loadPipeline', () => {
  it('accepts the demo pipeline and resolves its model manifest next to the repository models', async () => {
    const pipeline = await loadPipeline('pipelines/live-interaction.yaml');
    expect(pipeline.metadata.name).toBe('live-interaction');
    expect(pipeline.file).toBe(resolve('pipelines/live-interaction.yaml'));
    // Each language's pool runs its own model, and the result type follows the manifest's name.
    expect(pipeline.models.map((model) => [model.name, model.manifest, model.resultType])).toEqual([
      ['chat-sentiment', resolve('models/chat-sentiment.yaml'), 'ai.chat-sentiment.result'],
      ['chat-sentiment-zh', resolve('models/chat-sentiment-zh.yaml'), 'ai.chat-sentiment-zh.result'],
    ]);
    expect(pipeline.triggers.map((trigger) => trigger.name)).toEqual([
      'comments-to-sentiment',
      'chinese-comments-to-sentiment',
      'scored-comments-to-overlay',
      'big-gift-alerts',
      'engagement',
    ]);
    expect(pipeline.models[0]?.batch.maxDelay).toBe(2);
    expect(pipeline.budgets.e2e).toBe(120);
    expect(pipeline.aggregations[0]?.window).toBe(10_000);
  });

  it('fills defaults and converts durations in a minimal pipeline', async () => {
    const pipeline = await loadPipeline(join(FIXTURES, 'good-minimal.yaml'));
    expect(pipeline.models[0]?.manifest).toBe(resolve(FIXTURES, 'models/stub-model.yaml'));
    expect(pipeline.models[0]?.workers).toBe(2);
    expect(pipeline.aggregations[0]?.window).toBe(10_000);
    expect(pipeline.aggregations[0]?.publishEvery).toBe(250);
    expect(pipeline.budgets.policy).toBe('deliver-late');
    expect(pipeline.overlay.port).toBe(8080);
  });

  // Each bad fixture holds one mistake; the error must name its exact line and field.
  it.each([
    [
      'bad-unknown-top-level-key.yaml',
      12,
      1,
      'budget',
      [
        'unknown key "budget"',
        'did you mean "budgets"',
        'allowed keys here: apiVersion, kind, metadata, sources, models, triggers, aggregations, overlay, metrics, budgets',
      ],
    ],
    [
      'bad-unknown-nested-key.yaml',
      14,
      7,
      'models[0].batch.size',
      ['unknown key "size"', 'allowed keys here: maxSize, maxDelay'],
    ],
    ['bad-wrong-type.yaml', 10, 13, 'sources[0].generator.rate', ['expected a number, got "fast"']],
    ['bad-duration.yaml', 14, 10, 'budgets.queue', ['expected a duration', '"20ms"', 'got "soon"']],
    ['bad-enum.yaml', 13, 11, 'budgets.policy', ['expected one of: deliver-late, shed; got "drop"']],
    ['bad-missing-required.yaml', 9, 5, 'sources[1].name', ['missing required field "name"']],
    [
      'bad-missing-model.yaml',
      17,
      14,
      'triggers[1].subscriber.model',
      ['no model named "sentiment"', 'declared models: scorer'],
    ],
    ['bad-duplicate-names.yaml', 12, 11, 'triggers[1].name', ['duplicate name "to-overlay"', 'triggers[0]']],
    ['bad-yaml-syntax.yaml', 8, 28, '(yaml)', ['YAML syntax error']],
    ['bad-invalid-cel.yaml', 13, 14, 'triggers[0].filters[1].cel', ['CEL', 'event.data.gift.value >=']],
    ['bad-non-boolean-cel.yaml', 16, 18, 'triggers[1].filters[0].any[1].cel', ['CEL', 'bool']],
    [
      'bad-local-workers-without-autoscale.yaml',
      14,
      21,
      'models[0].distributed.localWorkers',
      ['needs autoscale.enabled: true', 'start `livepipe worker` processes yourself'],
    ],
    ['bad-autoscale-tick.yaml', 14, 13, 'models[0].autoscale.tick', ['greater than 0', 'got "0ms"']],
    [
      'bad-autoscale-stable-window.yaml',
      14,
      21,
      'models[0].autoscale.stableWindow',
      ['at least one averaging bucket', 'got "500ms"'],
    ],
    ['bad-queue-budget.yaml', 13, 10, 'budgets.queue', ['greater than 0']],
    ['bad-distributed-queue-name.yaml', 10, 11, 'models[0].name', ["distributed queue's name", '1-128 letters']],
    [
      'bad-preferred-size.yaml',
      14,
      27,
      'models[0].batch.preferredSizes[1]',
      ['a preferred size must be an integer from 1 to batch.maxSize (16)', 'got 32'],
    ],
    [
      'bad-missing-manifest.yaml',
      11,
      15,
      'models[0].manifest',
      ['no manifest at', 'no-such-dir/chat-sentiment.yaml', 'relative to the pipeline file'],
    ],
  ] as const)('%s: reports line %d col %d at %s', async (fixture, line, column, path, fragments) => {
    const file = join(FIXTURES, fixture);
    const issues = await issuesOf(file);
    const issue = issues[0];
    expect(issue).toMatchObject({ file, line, column, path });
    for (const fragment of fragments) expect(issue?.message).toContain(fragment);
  });

  it('names the file, line, column and field in the thrown message', async () => {
    const file = join(FIXTURES, 'bad-enum.yaml');
    await expect(loadPipeline(file)).rejects.toThrow(
      `${file}:13:11  budgets.policy  expected one of: deliver-late, shed`,
    );
  });

  it('reports every schema error in the file, in line order, not just the first', async () => {
    const issues = await issuesOf(join(FIXTURES, 'bad-many-errors.yaml'));
    expect(issues.map((issue) => [issue.line, issue.path])).toEqual([
      [3, 'kind'],
      [9, 'sources[0].generator.streams'],
      [14, 'overlay.port'],
    ]);
    expect(issues[0]?.message).toBe('expected "Pipeline", got "Pipelines"');
    expect(issues[1]?.message).toBe('must be >= 1, got 0');
    expect(issues[2]?.message).toBe('must be <= 65535, got 99999');
  });

  it('says a subscriber takes exactly one of model, overlay, aggregate, kafka, uri', async () => {
    const issues = await issuesOf(join(FIXTURES, 'bad-subscriber-form.yaml'));
    expect(issues).toMatchObject([
      {
        line: 11,
        path: 'triggers[0].subscriber',
        message: expect.stringContaining(
          'exactly one of: model, overlay, aggregate, kafka, uri; got overlay and aggregate',
        ),
      },
      {
        line: 14,
        path: 'triggers[1].subscriber.sink',
        message: expect.stringContaining(
          'unknown key "sink"; allowed keys here: one of: model, overlay, aggregate, kafka, uri',
        ),
      },
    ]);
  });

  it("points a missing field of a nested mapping at the mapping's key", () => {
    const text =
      'apiVersion: livepipe/v1\nkind: Pipeline\nmetadata:\n  description: no name\nsources: [{ name: s, generator: {} }]\ntriggers: [{ name: t, subscriber: { overlay: o } }]\n';
    const error = catchConfigError(() => parsePipeline(text, 'inline.yaml'));
    expect(error.issues).toEqual([
      {
        file: 'inline.yaml',
        line: 3,
        column: 1,
        path: 'metadata.name',
        message: 'missing required field "name" (expected a string)',
      },
    ]);
  });

  it('reports the wrong field of the subscriber branch the user evidently meant', () => {
    const text =
      'apiVersion: livepipe/v1\nkind: Pipeline\nmetadata: { name: p }\nsources: [{ name: s, generator: {} }]\ntriggers:\n  - name: t\n    subscriber: { model: 5 }\n';
    const error = catchConfigError(() => parsePipeline(text, 'inline.yaml'));
    expect(error.issues).toMatchObject([
      { line: 7, column: 26, path: 'triggers[0].subscriber.model', message: 'expected a string, got 5' },
    ]);
  });

  it('points an invalid attribute name in a legacy filter at the key', () => {
    const text =
      'apiVersion: livepipe/v1\nkind: Pipeline\nmetadata: { name: p }\nsources: [{ name: s, generator: {} }]\ntriggers:\n  - name: t\n    filter:\n      attributes:\n        Type: live.like\n    subscriber: { overlay: o }\n';
    const error = catchConfigError(() => parsePipeline(text, 'inline.yaml'));
    expect(error.issues).toMatchObject([{ line: 9, column: 9, path: 'triggers[0].filter.attributes.Type' }]);
    expect(error.issues[0]?.message).toContain('lower-case letters and digits');
  });

  it('reports an empty file as a document that is not a mapping', () => {
    const error = catchConfigError(() => parsePipeline('', 'empty.yaml'));
    expect(error.issues).toMatchObject([
      { line: 1, column: 1, path: '(root)', message: 'expected a mapping, got an empty value' },
    ]);
  });

  it('skips the manifest check when asked, and still resolves the path', () => {
    const text =
      'apiVersion: livepipe/v1\nkind: Pipeline\nmetadata: { name: p }\nsources: [{ name: s, generator: {} }]\nmodels: [{ name: m, manifest: ./m.yaml }]\ntriggers: [{ name: t, subscriber: { model: m } }]\n';
    expect(() => parsePipeline(text, '/x/p.yaml')).toThrow(ConfigError);
    const pipeline = parsePipeline(text, '/x/p.yaml', { checkManifests: false });
    expect(pipeline.models[0]?.manifest).toBe('/x/m.yaml');
  });

  it('throws LP_CONFIG_NOT_FOUND for a missing file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'livepipe-config-'));
    const missing = join(directory, 'absent.yaml');
    await expect(loadPipeline(missing)).rejects.toMatchObject({
      code: 'LP_CONFIG_NOT_FOUND',
      message: expect.stringContaining(missing),
    });
    await writeFile(join(directory, 'present.yaml'), 'kind: Pipeline\n');
    await expect(loadPipeline(join(directory, 'present.yaml'))).rejects.toMatchObject({ code: 'LP_CONFIG_INVALID' });
  });

  it('keeps LivepipeError as the base class so the CLI prints it without a stack', async () => {
    await expect(loadPipeline(join(FIXTURES, 'bad-enum.yaml'))).rejects.toBeInstanceOf(LivepipeError);
  });
});

function catchConfigError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError was thrown');
}
