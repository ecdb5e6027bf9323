// Reads a pipeline file into a validated Pipeline: YAML with source positions, the zod schema,
// then the checks that need the whole file (names, references, manifests, filters). Every
// problem found is reported at once, each with file:line:col and the field path.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { LivepipeError } from '../errors.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { checkCrossReferences } from './cross-references.js';
import { pipelineSchema, type Pipeline } from './schema.js';
import { configIssuesFrom } from './schema-issues.js';
import { SourceLocator } from './source-locator.js';
import { checkTriggerFilters } from './trigger-filter-check.js';

export interface ParseOptions {
  /** Require model manifests to exist (default true); off for tools that only inspect the file. */
  checkManifests?: boolean;
}

/** Reads and validates a pipeline file; throws LP_CONFIG_NOT_FOUND or a ConfigError (LP_CONFIG_INVALID). */
export async function loadPipeline(file: string, options: ParseOptions = {}): Promise<Pipeline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new LivepipeError(
        'LP_CONFIG_NOT_FOUND',
        `pipeline file not found: ${file} (resolved to ${resolve(file)}); check the path, e.g. pipelines/live-interaction.yaml`,
        { cause: error },
      );
    }
    if (code === 'EISDIR') {
      throw new LivepipeError(
        'LP_CONFIG_NOT_FOUND',
        `${file} is a directory; give the path of a pipeline YAML file inside it`,
        { cause: error },
      );
    }
    throw error;
  }
  return parsePipeline(text, file, options);
}

/** Validates pipeline YAML text; `file` names it in messages and anchors relative manifest paths. */
export function parsePipeline(text: string, file: string, options: ParseOptions = {}): Pipeline {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new SourceLocator(document, lineCounter);

  if (document.errors.length > 0) {
    // A document with syntax errors has no reliable structure to validate; report those alone.
    throw new ConfigError(
      file,
      document.errors.map((error) => {
        const { line, column } = locator.offset(error.pos[0]);
        return { file, line, column, path: '(yaml)', message: `YAML syntax error: ${firstLine(error.message)}` };
      }),
    );
  }

  const data: unknown = document.toJS({ maxAliasCount: 100 });
  const parsed = pipelineSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(
      file,
      sorted(configIssuesFrom(parsed.error.issues, { file, schema: pipelineSchema, data, locator })),
    );
  }

  const checked = checkCrossReferences(parsed.data, { file, locator, checkManifests: options.checkManifests ?? true });
  const issues = [...checked.issues, ...checkTriggerFilters(checked.spec.triggers, file, locator)];
  if (issues.length > 0) throw new ConfigError(file, sorted(issues));

  return { ...checked.spec, file: resolve(file) };
}

function sorted(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function firstLine(message: string): string {
  const end = message.indexOf('\n');
  return end === -1 ? message : message.slice(0, end);
}
