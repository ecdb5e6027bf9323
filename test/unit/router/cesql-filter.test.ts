import { describe, expect, it } from 'vitest';
import { LivepipeError } from '../../../src/errors.js';
import { CesqlError } from '../../../src/router/cesql/casting.js';
import { compileCesqlProgram, evaluateCesql } from '../../../src/router/cesql/evaluator.js';
import { parseCesql } from '../../../src/router/cesql/parser.js';
import { compileTriggerFilter, Router } from '../../../src/router/index.js';

const gift = {
  specversion: '1.0',
  id: 'e1',
  type: 'live.gift',
  source: '/streams/stream-1',
  stream: 'stream-1',
  amount: '120',
  level: 5,
  vip: true,
  ingesttime: 1700000000000,
  data: { gift: { value: 120 } },
};

function cesqlPasses(expression: string, event: Record<string, unknown> = gift): boolean {
  return compileTriggerFilter({ filters: [{ cesql: expression }] })(event);
}

function evaluate(expression: string, event: Record<string, unknown> = gift) {
  return evaluateCesql(compileCesqlProgram(parseCesql(expression)), event);
}

describe('cesql filters', () => {
  it.each([
    ['string equality on the type', "type = 'live.gift'", true],
    ['keywords and function names in any case', "TYPE = 'live.gift' and int(AMOUNT) >= 100", true],
    ['a string extension cast to an integer by the right operand', 'amount = 120', true],
    ['an integer extension', 'level > 3 AND level <= 5', true],
    ['a boolean extension', 'vip', true],
    ['LIKE as a prefix', "source LIKE '/streams/%'", true],
    ['NOT LIKE', "source NOT LIKE '/streams/%'", false],
    ['IN casts the set to the left type', "level IN ('4', '5')", true],
    ['EXISTS on an extension', 'EXISTS stream AND NOT EXISTS subject', true],
    ['data is not an attribute', 'EXISTS data', false],
    ['a missing attribute fails the event', "region = 'eu'", false],
    ['a missing attribute fails even under NOT', "NOT (region = 'eu')", false],
    [
      'an epoch-millisecond number is a string (outside int32), so comparing it as an integer errors',
      'ingesttime > 0',
      false,
    ],
    ['it still compares as a string', "ingesttime = '1700000000000'", true],
    ['XOR', "vip XOR type = 'live.gift'", false],
    ['AND/OR group to the right, as the grammar says', 'FALSE AND FALSE OR TRUE', false],
    ['LENGTH counts characters, not bytes', "LENGTH('héllo 🎁') = 7", true],
    ['LIKE _ matches one character, even outside the BMP', "'a🎁c' LIKE 'a_c'", true],
    ['32-bit overflow wraps', '2147483647 + 1 = -2147483648', true],
  ])('%s: %s', (_name, expression, expected) => {
    expect(cesqlPasses(expression)).toBe(expected);
  });

  it('reports an evaluation error through the hook and does not pass the event', () => {
    const errors: Array<[unknown, string]> = [];
    const filter = compileTriggerFilter(
      { filters: [{ cesql: "region = 'eu'" }] },
      { onError: (e, x) => errors.push([e, x]) },
    );
    expect(filter(gift)).toBe(false);
    expect(filter({ ...gift, region: 'eu' })).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toBe("region = 'eu'");
    expect(errors[0]?.[0]).toMatchObject({ kind: 'missingAttribute' });
  });

  it('fails and reports a bare attribute whose value is not a boolean at run time', () => {
    const errors: unknown[] = [];
    const filter = compileTriggerFilter({ filters: [{ cesql: 'stream' }] }, { onError: (e) => errors.push(e) });
    expect(filter(gift)).toBe(false);
    expect(errors).toHaveLength(1);
    expect(filter({ ...gift, stream: true })).toBe(true);
  });

  it('counts a CESQL error per trigger in the Router', () => {
    const errors: string[] = [];
    const router = new Router<string>(
      [
        { name: 'eu-only', target: 'eu', filters: [{ cesql: "region = 'eu'" }] },
        { name: 'gifts', target: 'gifts', filters: [{ cesql: "type LIKE 'live.g%'" }] },
      ],
      { onFilterError: (trigger) => errors.push(trigger) },
    );
    expect(router.match(gift)).toEqual(['gifts']);
    expect(errors).toEqual(['eu-only']);
  });

  it.each([
    ['a syntax error, with its position', "type = 'x' AND", /does not parse: expected a value.* at position 15/],
    ['a signed literal straight after a value', 'level -1 = 4', /with a space/],
    ['an integer literal outside 32 bits', 'level = 2147483648', /outside the 32-bit range/],
    ['a LIKE pattern that is not a string literal', 'level LIKE 5', /string literal pattern/],
    ['an unknown function', 'REVERSE(type) = type', /at position 1: there is no function REVERSE/],
    ['a wrong arity', "LEFT('abc') = 'a'", /LEFT takes 2 arguments, not 1/],
    ['an integer result', 'level + 1', /returns an integer, but a filter must return a boolean/],
    ['a string result', "CONCAT(type, '!')", /returns a string/],
    ['a non-string expression', 42, /takes an expression string/],
  ])('rejects %s with LP_FILTER_INVALID naming the expression', (_name, expression, message) => {
    let thrown: unknown;
    try {
      cesqlPasses(expression as string);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'LP_FILTER_INVALID' });
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toMatch(/^filters\[0\]\.cesql: /);
    if (typeof expression === 'string') expect((thrown as Error).message).toContain(JSON.stringify(expression));
  });

  it('skips an empty expression, as Knative does', () => {
    expect(cesqlPasses('')).toBe(true);
    expect(compileTriggerFilter({ filters: [{ cesql: '' }, { exact: { type: 'live.like' } }] })(gift)).toBe(false);
  });
});

describe('cesql engine details the TCK does not pin', () => {
  it.each([
    ['integer division truncates toward zero', '-7 / 2', -3],
    ['modulo keeps the sign of the dividend', '-7 % 2', -1],
    ['the most negative int divided by -1 wraps', '-2147483648 / -1', -2147483648],
    ['multiplication wraps at 32 bits', '65536 * 65536', 0],
    ['NOT binds tighter than =', 'NOT TRUE = FALSE', true],
    ['LIKE binds tighter than +', "1 + (2 LIKE '2')", 2],
    ['a doubled quote stays in the literal, as sdk-go reads it', "'a''b'", "a''b"],
    ['a backslash before another character is kept', "'a\\nb'", 'a\\nb'],
    ['TRIM removes Unicode white space, not U+FEFF', "TRIM('\u00a0 x \u2003')", 'x'],
    ['CONCAT_WS joins with the separator', "CONCAT_WS('-', 'a', 1, TRUE)", 'a-1-true'],
    ['SUBSTRING counts characters from the end', "SUBSTRING('héllo', -3, 2)", 'll'],
  ])('%s', (_name, expression, expected) => {
    const { value, error } = evaluate(expression);
    expect(error).toBeUndefined();
    expect(value).toStrictEqual(expected);
  });

  it('returns "" and a function error for a negative SUBSTRING length (the spec; sdk-go panics)', () => {
    const { value, error } = evaluate("SUBSTRING('abc', 1, -1)");
    expect(value).toBe('');
    expect(error?.kind).toBe('functionEvaluation');
  });

  it('reads the prototype-shadowing name "constructor" as a missing attribute', () => {
    expect(evaluate('EXISTS constructor').value).toBe(false);
    expect(evaluate('constructor').error?.kind).toBe('missingAttribute');
  });

  it('stops evaluating IN at the first match, so a later missing attribute does not error', () => {
    expect(evaluate("type IN ('live.gift', missing)")).toEqual({ value: true, error: undefined });
    expect(evaluate("type IN ('x', missing)").error?.kind).toBe('missingAttribute');
  });
});

describe('CesqlError', () => {
  function thrownBy(run: () => unknown): unknown {
    try {
      run();
    } catch (error) {
      return error;
    }
    throw new Error('expected an error');
  }

  it('is a LivepipeError with LP_FILTER_INVALID for an expression that does not parse', () => {
    const error = thrownBy(() => parseCesql("type = 'x' AND"));
    expect(error).toBeInstanceOf(CesqlError);
    expect(error).toBeInstanceOf(LivepipeError);
    expect(error).toMatchObject({ code: 'LP_FILTER_INVALID', kind: 'parse', position: 14 });
  });

  it('has LP_FILTER_INVALID for a call to a function that does not exist', () => {
    const { error } = evaluate('REVERSE(type)');
    expect(error).toBeInstanceOf(LivepipeError);
    expect(error).toMatchObject({ code: 'LP_FILTER_INVALID', kind: 'missingFunction' });
  });

  it.each([
    ['a missing attribute', "region = 'eu'", 'missingAttribute'],
    ['a failed cast', "int('x') = 1", 'cast'],
    ['a division by zero', 'level / 0 = 1', 'math'],
    ['a failed function', "LEFT('abc', -1) = 'a'", 'functionEvaluation'],
  ])('has LP_FILTER_FAILED for %s met while evaluating an event', (_name, expression, kind) => {
    const { error } = evaluate(expression);
    expect(error).toBeInstanceOf(LivepipeError);
    expect(error).toMatchObject({ code: 'LP_FILTER_FAILED', kind });
  });

  it('reaches the filter hook as an LP_FILTER_FAILED LivepipeError', () => {
    const errors: unknown[] = [];
    const filter = compileTriggerFilter({ filters: [{ cesql: 'stream' }] }, { onError: (e) => errors.push(e) });
    expect(filter(gift)).toBe(false);
    expect(errors[0]).toBeInstanceOf(LivepipeError);
    expect(errors[0]).toMatchObject({ code: 'LP_FILTER_FAILED', kind: 'generic' });
  });
});
