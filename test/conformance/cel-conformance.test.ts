// Scores the three CEL libraries on the official CEL conformance data (@bufbuild/cel-spec) so the
// router's CEL choice rests on a measurement. Writes test/conformance/cel-scores.json for the README.
// A case counts only when the value (and its CEL type, where the library exposes it) or the error matches.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tests as conformanceData } from '@bufbuild/cel-spec/testdata/conformance.js';
import { Environment, evaluate as marcEvaluate } from '@marcbachmann/cel-js';
import { evaluate as celJsEvaluate } from 'cel-js';
import { celUint, isCelError, isCelList, isCelMap, isCelType, isCelUint, run as bufRun } from '@bufbuild/cel';
import { strings as bufStrings } from '@bufbuild/cel/ext';
import { CEL_LIBRARY } from '../../src/router/cel-filter.js';

/** The sections whose features a trigger filter uses; fixed before measuring, not picked after. */
const ROUTING_SECTIONS = [
  'basic',
  'comparisons',
  'conversions',
  'fields',
  'lists',
  'logic',
  'macros',
  'parse',
  'string',
];

type JsonValue = Record<string, unknown>;

const SPEC_PACKAGE = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../node_modules/@bufbuild/cel-spec/package.json', import.meta.url)), 'utf8'),
) as { version: string; upstreamCelSpecRef: string };

/** A library-independent view of a CEL value. `number` is a JS number whose CEL type the library hides. */
type Neutral =
  | { kind: 'int' | 'uint'; value: bigint }
  | { kind: 'double' | 'number'; value: number }
  | { kind: 'string' | 'bytes' | 'type'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'list'; value: Neutral[] }
  | { kind: 'map'; value: Array<[Neutral, Neutral]> };

class Unsupported extends Error {}

/** Decodes a cel.expr.Value in proto-JSON form; throws Unsupported for messages and enums. */
function fromConformance(value: JsonValue): Neutral {
  if ('int64Value' in value) return { kind: 'int', value: BigInt(value.int64Value as string) };
  if ('uint64Value' in value) return { kind: 'uint', value: BigInt(value.uint64Value as string) };
  if ('doubleValue' in value) return { kind: 'double', value: Number(value.doubleValue) };
  if ('stringValue' in value) return { kind: 'string', value: value.stringValue as string };
  if ('bytesValue' in value)
    return { kind: 'bytes', value: Buffer.from(value.bytesValue as string, 'base64').toString('hex') };
  if ('boolValue' in value) return { kind: 'bool', value: value.boolValue as boolean };
  if ('nullValue' in value) return { kind: 'null' };
  if ('typeValue' in value) return { kind: 'type', value: value.typeValue as string };
  if ('listValue' in value) {
    const values = ((value.listValue as { values?: JsonValue[] }).values ?? []).map(fromConformance);
    return { kind: 'list', value: values };
  }
  if ('mapValue' in value) {
    const entries = (value.mapValue as { entries?: Array<{ key: JsonValue; value: JsonValue }> }).entries ?? [];
    return { kind: 'map', value: entries.map((e) => [fromConformance(e.key), fromConformance(e.value)]) };
  }
  throw new Unsupported(Object.keys(value).join(','));
}

function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function matches(expected: Neutral, actual: Neutral): boolean {
  if (actual.kind === 'number') {
    // The library does not expose int/uint/double apart: compare the numeric value only.
    if (expected.kind === 'int' || expected.kind === 'uint') return Number(expected.value) === actual.value;
    if (expected.kind === 'double') return sameNumber(expected.value, actual.value);
    return false;
  }
  if (expected.kind !== actual.kind) return false;
  switch (expected.kind) {
    case 'null':
      return true;
    case 'double':
      return sameNumber(expected.value, (actual as { value: number }).value);
    case 'list': {
      const items = (actual as { value: Neutral[] }).value;
      return items.length === expected.value.length && expected.value.every((item, i) => matches(item, items[i]!));
    }
    case 'map': {
      const entries = (actual as { value: Array<[Neutral, Neutral]> }).value;
      return (
        entries.length === expected.value.length &&
        expected.value.every(([key, val]) => entries.some(([k, v]) => matches(key, k) && matches(val, v)))
      );
    }
    default:
      return expected.value === (actual as { value: unknown }).value;
  }
}

function bytesHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

interface Candidate {
  name: string;
  /** Native binding value for a conformance value; throws Unsupported when it has no form. */
  toInput(value: Neutral): unknown;
  /** Runs the expression; returns { error } or { value } in neutral form. */
  run(expr: string, bindings: Record<string, unknown>, disableCheck: boolean): { error: unknown } | { value: Neutral };
}

function neutralFromPlain(value: unknown, recurse: (v: unknown) => Neutral): Neutral | undefined {
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (value === null) return { kind: 'null' };
  if (value instanceof Uint8Array) return { kind: 'bytes', value: bytesHex(value) };
  if (Array.isArray(value)) return { kind: 'list', value: value.map(recurse) };
  if (value instanceof Map) return { kind: 'map', value: [...value].map(([k, v]) => [recurse(k), recurse(v)]) };
  return undefined;
}

/** Binding value for the libraries that take bytes as a Buffer and maps as a Map; they differ only in their unsigned type. */
function toMapBasedInput(value: Neutral, unsigned: (value: bigint) => unknown): unknown {
  switch (value.kind) {
    case 'uint':
      return unsigned(value.value);
    case 'bytes':
      return Buffer.from(value.value, 'hex');
    case 'null':
      return null;
    case 'list':
      return value.value.map((v) => toMapBasedInput(v, unsigned));
    case 'map':
      return new Map(value.value.map(([k, v]) => [toMapBasedInput(k, unsigned), toMapBasedInput(v, unsigned)]));
    case 'type':
      throw new Unsupported('type binding');
    default:
      return value.value;
  }
}

const MarcUnsignedInt = (marcEvaluate('0u') as object).constructor as new (value: bigint) => unknown;
const marcChecked = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
});

const marcbachmann: Candidate = {
  name: '@marcbachmann/cel-js',
  toInput: (value) => toMapBasedInput(value, (uint) => new MarcUnsignedInt(uint)),
  run(expr, bindings) {
    try {
      return { value: marcToNeutral(marcChecked.evaluate(expr, bindings)) };
    } catch (error) {
      if (error instanceof Unsupported) throw error;
      return { error };
    }
  },
};

function marcToNeutral(value: unknown): Neutral {
  if (typeof value === 'bigint') return { kind: 'int', value };
  if (typeof value === 'number') return { kind: 'double', value };
  if (value instanceof MarcUnsignedInt) return { kind: 'uint', value: (value as { value: bigint }).value };
  const plain = neutralFromPlain(value, marcToNeutral);
  if (plain) return plain;
  if (value && Object.prototype.toString.call(value).startsWith('[object Type<')) {
    return { kind: 'type', value: (value as { name: string }).name };
  }
  if (value && Object.getPrototypeOf(value) === Object.prototype) {
    return {
      kind: 'map',
      value: Object.entries(value).map(([k, v]) => [{ kind: 'string', value: k }, marcToNeutral(v)]),
    };
  }
  return { kind: 'type', value: `<unrepresentable ${Object.prototype.toString.call(value)}>` };
}

const celJs: Candidate = {
  name: 'cel-js',
  toInput(value) {
    switch (value.kind) {
      case 'int':
      case 'uint':
        return Number(value.value);
      case 'null':
        return null;
      case 'list':
        return value.value.map((v) => this.toInput(v));
      case 'map': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value.value) {
          if (k.kind !== 'string') throw new Unsupported('non-string map key');
          out[k.value] = this.toInput(v);
        }
        return out;
      }
      case 'bytes':
      case 'type':
        throw new Unsupported(value.kind);
      default:
        return value.value;
    }
  },
  run(expr, bindings) {
    try {
      return { value: celJsToNeutral(celJsEvaluate(expr, bindings)) };
    } catch (error) {
      return { error };
    }
  },
};

function celJsToNeutral(value: unknown): Neutral {
  if (typeof value === 'number') return { kind: 'number', value };
  const plain = neutralFromPlain(value, celJsToNeutral);
  if (plain) return plain;
  if (value && typeof value === 'object') {
    return {
      kind: 'map',
      value: Object.entries(value).map(([k, v]) => [{ kind: 'string', value: k }, celJsToNeutral(v)]),
    };
  }
  return { kind: 'type', value: `<unrepresentable ${typeof value}>` };
}

const bufbuild: Candidate = {
  name: '@bufbuild/cel',
  toInput: (value) => toMapBasedInput(value, celUint),
  run(expr, bindings) {
    try {
      const result = bufRun(expr, bindings as Parameters<typeof bufRun>[1], { funcs: bufStrings });
      return isCelError(result) ? { error: result } : { value: bufToNeutral(result) };
    } catch (error) {
      return { error };
    }
  },
};

function bufToNeutral(value: unknown): Neutral {
  if (typeof value === 'bigint') return { kind: 'int', value };
  if (typeof value === 'number') return { kind: 'double', value };
  if (isCelUint(value)) return { kind: 'uint', value: value.value };
  if (isCelList(value)) return { kind: 'list', value: [...value].map(bufToNeutral) };
  if (isCelMap(value)) return { kind: 'map', value: [...value].map(([k, v]) => [bufToNeutral(k), bufToNeutral(v)]) };
  if (isCelType(value)) return { kind: 'type', value: value.name };
  const plain = neutralFromPlain(value, bufToNeutral);
  if (plain) return plain;
  return { kind: 'type', value: `<unrepresentable ${Object.prototype.toString.call(value)}>` };
}

const CANDIDATES = [marcbachmann, celJs, bufbuild];

interface RawTest {
  original: JsonValue & { expr: string };
}
interface RawSuite {
  name: string;
  suites?: RawSuite[];
  tests?: RawTest[];
}

interface SectionScore {
  cases: number;
  skipped: number;
  passed: Record<string, number>;
}

/** Whether the harness can state the case the same way to every library (no proto messages). */
function runnable(test: JsonValue): boolean {
  if (test.container || test.checkOnly || test.typedResult) return false;
  return 'value' in test || 'evalError' in test;
}

function scoreCase(candidate: Candidate, test: JsonValue & { expr: string }): boolean | 'unsupported' {
  const rawBindings = (test.bindings ?? {}) as Record<string, { value?: JsonValue }>;
  let bindings: Record<string, unknown>;
  let expected: Neutral | undefined;
  try {
    bindings = {};
    for (const [name, binding] of Object.entries(rawBindings)) {
      if (!binding.value) throw new Unsupported('object binding');
      bindings[name] = candidate.toInput(fromConformance(binding.value));
    }
    expected = 'value' in test ? fromConformance(test.value as JsonValue) : undefined;
  } catch (error) {
    if (error instanceof Unsupported) return 'unsupported';
    throw error;
  }
  const outcome = candidate.run(test.expr, bindings, Boolean(test.disableCheck));
  if (expected === undefined) return 'error' in outcome;
  return 'value' in outcome && matches(expected, outcome.value);
}

function scoreAll(): Record<string, SectionScore> {
  const scores: Record<string, SectionScore> = {};
  for (const section of (conformanceData as RawSuite).suites ?? []) {
    const score: SectionScore = {
      cases: 0,
      skipped: 0,
      passed: Object.fromEntries(CANDIDATES.map((c) => [c.name, 0])),
    };
    for (const group of section.suites ?? []) {
      for (const test of group.tests ?? []) {
        if (!runnable(test.original)) {
          score.skipped++;
          continue;
        }
        // A case that one library cannot even be handed (e.g. bytes for cel-js) is a fail for that
        // library, not a skip: the harness only skips what it cannot state to any of them.
        const results = CANDIDATES.map((c) => scoreCase(c, test.original));
        if (results.every((r) => r === 'unsupported')) {
          score.skipped++;
          continue;
        }
        score.cases++;
        CANDIDATES.forEach((c, i) => {
          if (results[i] === true) score.passed[c.name]!++;
        });
      }
    }
    scores[section.name] = score;
  }
  return scores;
}

describe('CEL conformance (@bufbuild/cel-spec)', () => {
  it('scores the chosen CEL library highest of the three on the routing sections', () => {
    const scores = scoreAll();
    const table = Object.entries(scores).map(([section, s]) => ({
      section,
      routing: ROUTING_SECTIONS.includes(section) ? 'yes' : '',
      cases: s.cases,
      skipped: s.skipped,
      ...s.passed,
    }));
    const routingTotals = Object.fromEntries(
      CANDIDATES.map((c) => [
        c.name,
        ROUTING_SECTIONS.reduce((sum, name) => sum + (scores[name]?.passed[c.name] ?? 0), 0),
      ]),
    );
    const routingCases = ROUTING_SECTIONS.reduce((sum, name) => sum + (scores[name]?.cases ?? 0), 0);
    const allTotals = Object.fromEntries(
      CANDIDATES.map((c) => [c.name, Object.values(scores).reduce((sum, s) => sum + (s.passed[c.name] ?? 0), 0)]),
    );
    const allCases = Object.values(scores).reduce((sum, s) => sum + s.cases, 0);
    console.table(table);
    console.log(`routing sections: ${routingCases} cases`, routingTotals, `all sections: ${allCases} cases`, allTotals);

    // The README cites cel-scores.json; the run must reproduce it (CEL_SCORES_WRITE=1 rewrites it).
    const scoresFile = fileURLToPath(new URL('./cel-scores.json', import.meta.url));
    const report = `${JSON.stringify(
      {
        spec: `@bufbuild/cel-spec ${SPEC_PACKAGE.version} conformance data (cel-spec ${SPEC_PACKAGE.upstreamCelSpecRef})`,
        chosen: CEL_LIBRARY,
        routingSections: ROUTING_SECTIONS,
        routing: { cases: routingCases, passed: routingTotals },
        all: { cases: allCases, passed: allTotals },
        sections: scores,
      },
      null,
      2,
    )}\n`;
    if (process.env.CEL_SCORES_WRITE === '1') writeFileSync(scoresFile, report);
    else
      expect(report, 'test/conformance/cel-scores.json is stale: rerun with CEL_SCORES_WRITE=1').toBe(
        readFileSync(scoresFile, 'utf8'),
      );

    expect(routingCases).toBeGreaterThan(500);
    const chosen = routingTotals[CEL_LIBRARY]!;
    for (const candidate of CANDIDATES) {
      if (candidate.name !== CEL_LIBRARY) expect(chosen).toBeGreaterThan(routingTotals[candidate.name]!);
    }
  });
});
