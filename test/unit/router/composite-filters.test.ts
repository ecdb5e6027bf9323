import { describe, expect, it } from 'vitest';
import { compileTriggerFilter, type FilterSpec } from '../../../src/router/index.js';

const like = { specversion: '1.0', id: 'e1', type: 'live.like', source: '/streams/stream-2', stream: 'stream-2' };
const gift = { specversion: '1.0', id: 'e2', type: 'live.gift', source: '/streams/stream-1', stream: 'stream-1' };

function passes(filters: FilterSpec[], event: Record<string, unknown>): boolean {
  return compileTriggerFilter({ filters })(event);
}

const isLike = { exact: { type: 'live.like' } };
const isGift = { exact: { type: 'live.gift' } };
const onStream1 = { exact: { stream: 'stream-1' } };

describe('all, any, not and the filters list', () => {
  it.each([
    ['the filters list ANDs its entries', [isGift, onStream1], gift, true],
    ['the filters list fails when one entry fails', [isLike, onStream1], like, false],
    ['all passes when every child passes', [{ all: [isGift, onStream1] }], gift, true],
    ['all fails when a child fails', [{ all: [isGift, onStream1] }], like, false],
    ['any passes when one child passes', [{ any: [isLike, isGift] }], like, true],
    ['any fails when no child passes', [{ any: [isGift, onStream1] }], like, false],
    ['not inverts a pass', [{ not: isGift }], gift, false],
    ['not inverts a fail', [{ not: isGift }], like, true],
    [
      'nesting: any of (all, not)',
      [{ any: [{ all: [isGift, onStream1] }, { not: { prefix: { type: 'live.' } } }] }],
      gift,
      true,
    ],
    [
      'nesting: any of (all, not) fails',
      [{ any: [{ all: [isGift, onStream1] }, { not: { prefix: { type: 'live.' } } }] }],
      like,
      false,
    ],
    ['nesting: not of any', [{ not: { any: [isLike, isGift] } }], like, false],
    ['an empty all is "no filter" and passes', [{ all: [] }], like, true],
    ['an empty any is "no filter" and passes', [{ any: [] }], like, true],
    ['not of "no filter" stays "no filter"', [{ not: { any: [] } }], like, true],
    ['"no filter" children are neutral inside any', [{ any: [{ all: [] }, isGift] }], like, false],
    ['"no filter" children are neutral inside all', [{ all: [{ any: [] }, isGift] }], like, false],
  ])('%s', (_name, filters, event, expected) => {
    expect(passes(filters as FilterSpec[], event)).toBe(expected);
  });

  it.each([
    ['an entry with two dialect keys', { exact: { type: 'a' }, prefix: { type: 'b' } }, /exactly one of/],
    ['an unknown dialect', { sql: "type = 'x'" }, /unknown filter "sql"/],
    ['all that is not a list', { all: { exact: { type: 'a' } } }, /takes a list/],
    [
      'an invalid child deep inside',
      { any: [{ not: { exact: { Type: 'a' } } }] },
      /filters\[0\]\.any\[0\]\.not\.exact/,
    ],
    [
      'a CESQL expression that does not parse',
      { not: { cesql: "type = 'x" } },
      /filters\[0\]\.not\.cesql: CESQL expression .* does not parse: unterminated string literal at position 8/,
    ],
    ['a string instead of an entry', 'live.like', /a filter is a map/],
  ])('rejects %s with LP_FILTER_INVALID and says where', (_name, entry, message) => {
    let thrown: unknown;
    try {
      passes([entry as FilterSpec], like);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'LP_FILTER_INVALID' });
    expect((thrown as Error).message).toMatch(message);
  });
});
