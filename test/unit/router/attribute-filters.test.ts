import { describe, expect, it } from 'vitest';
import { compileTriggerFilter, type TriggerFilterSpec } from '../../../src/router/index.js';

const comment = {
  specversion: '1.0',
  id: 'e1',
  type: 'live.comment',
  source: '/streams/stream-1',
  stream: 'stream-1',
  ingesttime: 1700000000000,
  data: { text: 'hi' },
};

function passes(spec: TriggerFilterSpec, event: Record<string, unknown> = comment): boolean {
  return compileTriggerFilter(spec)(event);
}

describe('legacy filter.attributes', () => {
  it.each([
    ['matches equal type', { type: 'live.comment' }, true],
    ['rejects a different type', { type: 'live.like' }, false],
    ['requires every attribute to match', { type: 'live.comment', source: '/other' }, false],
    ['"" matches any non-empty value of a present attribute', { type: '', source: '' }, true],
    ['"" on an unset core attribute (subject) fails: Knative requires a non-empty value', { subject: '' }, false],
    ['a non-empty value on an unset core attribute fails', { subject: 'x' }, false],
    ['"" on an absent extension fails (the attribute must exist)', { region: '' }, false],
    ['a value on an absent extension fails', { region: 'eu' }, false],
    ['compares a present extension', { stream: 'stream-1' }, true],
    [
      'never equates a number-valued extension with a string (Go interface comparison)',
      { ingesttime: '1700000000000' },
      false,
    ],
    ['"" matches a number-valued extension (present, not "")', { ingesttime: '' }, true],
    ['never treats data as an attribute', { data: '' }, false],
  ])('%s', (_name, attributes, expected) => {
    expect(passes({ filter: { attributes } })).toBe(expected);
  });

  it('passes every event when there is no filter at all, or an empty one', () => {
    expect(passes({})).toBe(true);
    expect(passes({ filter: { attributes: {} } })).toBe(true);
    expect(passes({ filters: [] })).toBe(true);
    expect(passes({ filters: [] }, { type: 'anything' })).toBe(true);
  });

  it('is ignored when a non-empty filters list is set', () => {
    expect(
      passes({ filter: { attributes: { type: 'live.like' } }, filters: [{ exact: { type: 'live.comment' } }] }),
    ).toBe(true);
    expect(
      passes({ filter: { attributes: { type: 'live.comment' } }, filters: [{ exact: { type: 'live.like' } }] }),
    ).toBe(false);
  });

  it('applies when filters is an empty list', () => {
    expect(passes({ filter: { attributes: { type: 'live.like' } }, filters: [] })).toBe(false);
  });

  it('rejects a non-string value at compile time', () => {
    expect(() => passes({ filter: { attributes: { type: 3 as unknown as string } } })).toThrow(
      expect.objectContaining({ code: 'LP_FILTER_INVALID' }),
    );
  });
});

describe('exact, prefix and suffix', () => {
  it.each([
    ['exact matches', { exact: { type: 'live.comment' } }, true],
    ['exact mismatches', { exact: { type: 'live.comment.x' } }, false],
    ['exact with several attributes ANDs them', { exact: { type: 'live.comment', stream: 'stream-1' } }, true],
    [
      'exact with several attributes fails on one mismatch',
      { exact: { type: 'live.comment', stream: 'stream-2' } },
      false,
    ],
    ['exact on an absent extension fails', { exact: { region: 'eu' } }, false],
    ['exact on a number-valued extension compares its string form', { exact: { ingesttime: '1700000000000' } }, true],
    ['prefix matches', { prefix: { type: 'live.' } }, true],
    ['prefix mismatches', { prefix: { type: 'ai.' } }, false],
    ['prefix on an absent extension fails', { prefix: { region: 'e' } }, false],
    ['prefix on a number-valued extension uses its string form', { prefix: { ingesttime: '1700' } }, true],
    ['suffix matches', { suffix: { source: '/stream-1' } }, true],
    ['suffix mismatches', { suffix: { source: '/stream-2' } }, false],
    ['suffix on an absent extension fails', { suffix: { region: 'u' } }, false],
    ['suffix on an unset core attribute fails (it reads as "")', { suffix: { subject: 'x' } }, false],
  ])('%s', (_name, entry, expected) => {
    expect(passes({ filters: [entry] })).toBe(expected);
  });

  it.each([
    ['an empty value', { exact: { type: 'live.like', stream: '' } }],
    ['no attributes', { prefix: {} }],
    ['an empty suffix', { suffix: { type: '' } }],
  ])('skips an entry with %s, as Knative does, instead of failing the event', (_name, entry) => {
    expect(passes({ filters: [entry] })).toBe(true);
    expect(passes({ filters: [entry, { exact: { type: 'live.like' } }] })).toBe(false);
  });

  it.each([
    ['an empty attribute name', { exact: { '': 'x' } }],
    ['an attribute name starting with a digit', { prefix: { '1stream': 'x' } }],
    ['a non-string value', { exact: { type: 1 } }],
    ['an attribute name that is not a CloudEvents name', { exact: { 'data.text': 'x' } }],
    ['a list instead of a map', { exact: ['type'] }],
  ])('rejects %s with LP_FILTER_INVALID', (_name, entry) => {
    expect(() => passes({ filters: [entry] })).toThrow(expect.objectContaining({ code: 'LP_FILTER_INVALID' }));
  });
});
