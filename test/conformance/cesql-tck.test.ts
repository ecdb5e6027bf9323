// Runs the whole CloudEvents SQL TCK (cesql-tck/*.yaml, from cloudevents/sdk-go) against livepipe's
// CESQL engine: parse errors at parse time, then the (value, error kind) pair of each evaluation.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CesqlError } from '../../src/router/cesql/casting.js';
import { compileCesqlProgram, evaluateCesql } from '../../src/router/cesql/evaluator.js';
import { parseCesql } from '../../src/router/cesql/parser.js';

interface TckCase {
  name: string;
  expression: string;
  result?: boolean | number | string;
  error?: string;
  event?: Record<string, unknown>;
  eventOverrides?: Record<string, unknown>;
}

const directory = new URL('./cesql-tck/', import.meta.url);
const files = readdirSync(directory)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((file) => {
    const text = readFileSync(new URL(file, directory), 'utf8');
    const suite = parseYaml(text) as { name: string; tests: TckCase[] };
    // sdk-go reads `expression` into a string, so `expression: TRUE` is the text "TRUE", not a YAML boolean.
    const asText = parseYaml(text, { schema: 'failsafe' }) as { tests: Array<{ expression: string }> };
    suite.tests.forEach((t, i) => {
      t.expression = asText.tests[i]!.expression;
    });
    return { file, ...suite };
  });

/** sdk-go's test.FullEvent(), the input when a case gives no event, as a plain record. */
function fullEvent(): Record<string, unknown> {
  return {
    specversion: '1.0',
    type: 'com.example.FullEvent',
    source: 'http://example.com/source',
    id: 'full-event',
    time: '2020-03-21T12:34:56.78Z',
    dataschema: 'http://example.com/schema',
    subject: 'topic',
    datacontenttype: 'text/json',
    exbool: true,
    exint: 42,
    exstring: 'exstring',
    exbinary: 'AAECAw==',
    exurl: 'http://example.com/source',
    extime: '2020-03-21T12:34:56.78Z',
    data: 'hello',
  };
}

function inputEvent(testCase: TckCase): Record<string, unknown> {
  const event = testCase.event ? { ...testCase.event } : fullEvent();
  event.specversion = '1.0';
  return Object.assign(event, testCase.eventOverrides ?? {});
}

describe('CloudEvents SQL TCK', () => {
  it('loads all eighteen TCK files', () => {
    expect(files.map((f) => f.file)).toHaveLength(18);
    expect(files.flatMap((f) => f.tests).length).toBeGreaterThan(250);
  });

  for (const { file, name, tests } of files) {
    describe(`${name} (${file})`, () => {
      it.each(tests.map((t) => [t.name, t] as const))('%s', (_name, testCase) => {
        if (testCase.error === 'parse') {
          expect(() => parseCesql(testCase.expression)).toThrow(expect.objectContaining({ kind: 'parse' }));
          return;
        }
        const program = compileCesqlProgram(parseCesql(testCase.expression));
        const { value, error } = evaluateCesql(program, inputEvent(testCase));
        if (testCase.error) {
          expect(error, `expected a ${testCase.error} error`).toBeInstanceOf(CesqlError);
          expect(error?.kind).toBe(testCase.error);
        } else {
          expect(error).toBeUndefined();
        }
        expect(value).toStrictEqual(testCase.result);
      });
    });
  }
});
