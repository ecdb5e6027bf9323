// The pipeline file reference, written from the zod schema itself: every field's path, type,
// default and description (`.describe()` in the schema). The README's reference section is this
// text (`npm run docs:reference` rewrites it; a test fails when the two disagree).
import { type ZodType, z } from 'zod';
import { pipelineSchema } from './schema.js';

/** One documented field: `models[].batch.maxSize`, `integer 1–4096`, `32`, what it does. */
export interface ReferenceRow {
  path: string;
  type: string;
  default: string;
  description: string;
}

export interface ReferenceSection {
  /** The top-level key, e.g. `models[]`. */
  name: string;
  description: string;
  rows: ReferenceRow[];
}

interface Unwrapped {
  core: ZodType;
  description: string | undefined;
  /** A default that is no constant (e.g. "CPU cores"), from `.meta({ defaultText })`. */
  defaultText: string | undefined;
  defaultValue: unknown;
  hasDefault: boolean;
  optional: boolean;
}

type AnyDef = { type: string } & Record<string, unknown>;

function defOf(schema: ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

/** Peels optional/default/prefault wrappers, keeping the outermost description and the default. */
function unwrap(schema: ZodType): Unwrapped {
  const out: Unwrapped = {
    core: schema,
    description: undefined,
    defaultText: undefined,
    defaultValue: undefined,
    hasDefault: false,
    optional: false,
  };
  let current = schema;
  for (;;) {
    const meta = z.globalRegistry.get(current);
    out.description ??= meta?.description;
    if (typeof meta?.defaultText === 'string') out.defaultText ??= meta.defaultText;
    const def = defOf(current);
    if (def.type === 'optional') out.optional = true;
    else if (def.type === 'default' || def.type === 'prefault') {
      if (!out.hasDefault) {
        out.hasDefault = true;
        out.defaultValue = def.defaultValue;
      }
    } else break;
    current = def.innerType as ZodType;
  }
  out.core = current;
  return out;
}

/** A duration field: text or ms in, ms out (durationSchema's union → transform pipe). */
function isDuration(schema: ZodType): boolean {
  const def = defOf(schema);
  if (def.type !== 'pipe') return false;
  const input = defOf(def.in as ZodType);
  if (input.type !== 'union') return false;
  const kinds = (input.options as ZodType[]).map((option) => defOf(option).type).sort();
  return kinds.join(',') === 'number,string';
}

export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function isObject(schema: ZodType): boolean {
  return defOf(schema).type === 'object';
}

function shapeOf(schema: ZodType): Record<string, ZodType> {
  return defOf(schema).shape as Record<string, ZodType>;
}

/** Leaf constraints as the JSON Schema zod writes for them (bounds, patterns, enums). */
function leafType(schema: ZodType): string {
  if (isDuration(schema)) return 'duration';
  const def = defOf(schema);
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries as Record<string, string>)
        .map((value) => `\`${value}\``)
        .join(' \\| ');
    case 'literal':
      return (def.values as unknown[]).map((value) => `\`${String(value)}\``).join(' \\| ');
    case 'boolean':
      return 'boolean';
    case 'record':
      return 'map';
    case 'unknown':
    case 'any':
      return 'any';
    case 'array': {
      const element = unwrap(def.element as ZodType).core;
      return `list of ${leafType(element)}`;
    }
    case 'union': {
      const options = (def.options as ZodType[]).map((option) => unwrap(option).core);
      if (options.every(isObject)) {
        return `exactly one of ${options.map((option) => `\`${Object.keys(shapeOf(option))[0]}\``).join(', ')}`;
      }
      return options.map(leafType).join(' or ');
    }
    case 'object':
      return 'object';
    default:
      return numberOrString(schema, def.type);
  }
}

function numberOrString(schema: ZodType, type: string): string {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return type;
  }
  if (json.type === 'integer' || json.type === 'number') {
    const word = json.type;
    const safe = (n: unknown): n is number => typeof n === 'number' && Math.abs(n) < Number.MAX_SAFE_INTEGER;
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = json;
    if (safe(minimum) && safe(maximum)) return `${word} ${minimum}–${maximum}`;
    const bounds: string[] = [];
    if (safe(minimum)) bounds.push(`≥ ${minimum}`);
    if (safe(exclusiveMinimum)) bounds.push(`> ${exclusiveMinimum}`);
    if (safe(maximum)) bounds.push(`≤ ${maximum}`);
    if (safe(exclusiveMaximum)) bounds.push(`< ${exclusiveMaximum}`);
    return bounds.length === 0 ? word : `${word} ${bounds.join(', ')}`;
  }
  if (json.type === 'string') return 'string';
  return type;
}

function formatDefault(field: Unwrapped): string {
  if (field.defaultText !== undefined) return field.defaultText;
  if (!field.hasDefault) return field.optional ? '—' : 'required';
  const value = typeof field.defaultValue === 'function' ? (field.defaultValue as () => unknown)() : field.defaultValue;
  if (isDuration(field.core) && typeof value === 'number') return `\`${formatDuration(value)}\``;
  if (Array.isArray(value)) return `\`${JSON.stringify(value)}\``;
  if (typeof value === 'object' && value !== null) return '(all defaults)';
  return `\`${JSON.stringify(value)}\``;
}

/** The object members of a field: itself, the options of a union, or an array's element. */
function objectMembers(core: ZodType): { objects: ZodType[]; suffix: string } {
  const def = defOf(core);
  if (def.type === 'object') return { objects: [core], suffix: '' };
  if (def.type === 'array') {
    const element = unwrap(def.element as ZodType).core;
    const inner = objectMembers(element);
    return { objects: inner.objects, suffix: inner.objects.length > 0 ? '[]' : '' };
  }
  if (def.type === 'union') {
    const objects = (def.options as ZodType[]).map((option) => unwrap(option).core).filter(isObject);
    return { objects, suffix: '' };
  }
  if (def.type === 'pipe') return objectMembers(def.in as ZodType);
  return { objects: [], suffix: '' };
}

function collect(schema: ZodType, prefix: string, rows: ReferenceRow[]): void {
  for (const [key, member] of Object.entries(shapeOf(schema))) {
    const field = unwrap(member);
    const { objects, suffix } = objectMembers(field.core);
    const path = `${prefix}${key}${suffix}`;
    const type =
      objects.length > 0 && defOf(field.core).type !== 'union' ? (suffix ? 'list' : 'object') : leafType(field.core);
    const isPlainObject = objects.length === 1 && defOf(field.core).type === 'object';
    // A nested object without text of its own is only a heading for its fields.
    if (!(isPlainObject && field.description === undefined)) {
      rows.push({ path, type, default: formatDefault(field), description: field.description ?? '' });
    }
    for (const object of objects) collect(object, `${path}.`, rows);
  }
}

/** The reference of every top-level section of a pipeline file. */
export function pipelineReference(schema: ZodType = pipelineSchema): ReferenceSection[] {
  // Top-level scalars (apiVersion, kind) share one section; each object or list has its own.
  const header: ReferenceSection = {
    name: 'top level',
    description: 'The first lines of every pipeline file.',
    rows: [],
  };
  const sections: ReferenceSection[] = [header];
  for (const [key, member] of Object.entries(shapeOf(schema))) {
    const field = unwrap(member);
    const { objects, suffix } = objectMembers(field.core);
    if (objects.length === 0) {
      const row = { path: key, type: leafType(field.core), default: formatDefault(field) };
      header.rows.push({ ...row, description: field.description ?? '' });
      continue;
    }
    const rows: ReferenceRow[] = [];
    for (const object of objects) collect(object, '', rows);
    sections.push({ name: `${key}${suffix}`, description: field.description ?? '', rows });
  }
  return sections;
}

/** The fields without a description, by path (a test keeps this empty). */
export function undocumentedFields(sections: readonly ReferenceSection[] = pipelineReference()): string[] {
  const missing: string[] = [];
  for (const section of sections) {
    if (section.description === '') missing.push(section.name);
    for (const row of section.rows) if (row.description === '') missing.push(`${section.name}: ${row.path}`);
  }
  return missing;
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** Markdown: one table per section. */
export function renderReference(sections: readonly ReferenceSection[] = pipelineReference()): string {
  const out: string[] = [];
  for (const section of sections) {
    out.push(section.name === 'top level' ? '#### Top level' : `#### \`${section.name}\``, '');
    if (section.description !== '') out.push(escapeCell(section.description), '');
    out.push('| field | type | default | meaning |', '| --- | --- | --- | --- |');
    for (const row of section.rows) {
      out.push(`| \`${row.path}\` | ${row.type} | ${row.default} | ${escapeCell(row.description)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

export const REFERENCE_BEGIN =
  '<!-- pipeline-reference:begin (generated by `npm run docs:reference` from src/config/schema.ts; do not edit) -->';
export const REFERENCE_END = '<!-- pipeline-reference:end -->';

/** Replaces the generated region of a README's text; throws when the markers are missing. */
export function withReference(readme: string, reference: string = renderReference()): string {
  const begin = readme.indexOf(REFERENCE_BEGIN);
  const end = readme.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin) {
    throw new Error(
      `README has no generated reference region; put ${REFERENCE_BEGIN} and ${REFERENCE_END} where it goes`,
    );
  }
  return `${readme.slice(0, begin + REFERENCE_BEGIN.length)}\n\n${reference}\n${readme.slice(end)}`;
}
