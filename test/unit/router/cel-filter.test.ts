import { describe, expect, it } from 'vitest';
import { compileTriggerFilter } from '../../../src/router/index.js';

const gift = {
  specversion: '1.0',
  id: 'e1',
  type: 'live.gift',
  source: '/streams/stream-1',
  stream: 'stream-1',
  ingesttime: 1700000000000,
  data: { viewer: { level: 5, name: 'ana' }, gift: { value: 120, name: 'rose' }, tags: ['vip'], ratio: 0.5 },
};

function celPasses(expression: string, event: Record<string, unknown> = gift): boolean {
  return compileTriggerFilter({ filters: [{ cel: expression }] })(event);
}

describe('cel filters', () => {
  it.each([
    ['an int literal against a JSON number', 'event.data.viewer.level >= 3', true],
    ['an int literal against a JSON number (false)', 'event.data.viewer.level > 5', false],
    ['equality of a JSON number and an int literal', 'event.data.viewer.level == 5', true],
    ['a double field', 'event.data.ratio < 1', true],
    ['startsWith on the type', 'event.type.startsWith("live.")', true],
    ['startsWith on the type (false)', 'event.type.startsWith("ai.")', false],
    ['an extension', 'event.stream == "stream-1" && event.ingesttime > 0', true],
    ['has() on a present data field', 'has(event.data.gift)', true],
    ['has() on an absent attribute', 'has(event.subject)', false],
    ['in on a data list', '"vip" in event.data.tags', true],
    ['a macro over data', 'event.data.tags.exists(t, t.endsWith("ip"))', true],
    ['string extension functions', 'event.data.viewer.name.upperAscii() == "ANA"', true],
    ['an error absorbed by ||, as CEL defines', 'event.data.missing.x == 1 || event.type == "live.gift"', true],
  ])('%s: %s', (_name, expression, expected) => {
    expect(celPasses(expression)).toBe(expected);
  });

  it('combines with the other filters in the list', () => {
    const filter = compileTriggerFilter({
      filters: [{ exact: { type: 'live.gift' } }, { cel: 'event.data.gift.value >= 100' }],
    });
    expect(filter(gift)).toBe(true);
    expect(filter({ ...gift, data: { gift: { value: 10 } } })).toBe(false);
    expect(filter({ ...gift, type: 'live.like' })).toBe(false);
  });

  it('does not pass an event whose expression errors, and reports the error once', () => {
    const errors: Array<[unknown, string]> = [];
    const filter = compileTriggerFilter(
      { filters: [{ cel: 'event.data.missing.level > 3' }] },
      { onError: (error, expression) => errors.push([error, expression]) },
    );
    expect(filter(gift)).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.[1]).toBe('event.data.missing.level > 3');
    expect(String((errors[0]![0] as Error).message)).toMatch(/missing/);
  });

  it('does not pass an event when the expression yields a non-bool at run time, and reports it', () => {
    const errors: unknown[] = [];
    const filter = compileTriggerFilter(
      { filters: [{ cel: 'event.data.viewer.level' }] },
      { onError: (e) => errors.push(e) },
    );
    expect(filter(gift)).toBe(false);
    expect(errors).toHaveLength(1);
    expect(filter({ ...gift, data: { viewer: { level: true } } })).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('does not pass under not when the inner expression errors (the error still counts)', () => {
    const errors: unknown[] = [];
    const filter = compileTriggerFilter(
      { filters: [{ not: { cel: 'event.data.nope == 1' } }] },
      { onError: (e) => errors.push(e) },
    );
    // not(fail) passes: the CEL filter failed the event, as Knative treats a filter that errors.
    expect(filter(gift)).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it.each([
    ['a syntax error', 'event.type ==', /does not parse/],
    ['an int result', 'event.data.n + 1', /returns int.*must return bool/],
    ['a string result', '"live.gift"', /returns string/],
    ['a list result', 'event.data.tags.map(t, t)', /returns list/],
    ['size() as the whole filter', 'size(event.data.tags)', /returns int/],
    ['an unknown variable', 'evnt.type == "x"', /unknown variable "evnt"/],
    ['an unknown function', 'lookup(event.type)', /unknown function "lookup"/],
    ['an empty expression', '  ', /non-empty expression/],
  ])('rejects %s with LP_FILTER_INVALID naming the expression', (_name, expression, message) => {
    let thrown: unknown;
    try {
      celPasses(expression);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'LP_FILTER_INVALID' });
    expect((thrown as Error).message).toMatch(message);
    if (expression.trim()) expect((thrown as Error).message).toContain(JSON.stringify(expression));
  });
});
