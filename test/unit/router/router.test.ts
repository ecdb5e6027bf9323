import { describe, expect, it } from 'vitest';
import { compileTriggerFilter, Router, type FilterSpec, type RouterTrigger } from '../../../src/router/index.js';
import { SeededRandom } from '../../../src/sources/generator/seeded-random.js';

/** Seeded draws, so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  const generator = new SeededRandom(seed);
  return () => generator.next();
}

const TYPES = ['live.comment', 'live.like', 'live.gift', 'live.vote', 'ai.sentiment.result'];
const STREAMS = ['stream-1', 'stream-2', 'stream-3'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function randomEntry(next: () => number, depth: number): FilterSpec {
  const roll = next();
  if (depth < 2 && roll < 0.12) return { all: [randomEntry(next, depth + 1), randomEntry(next, depth + 1)] };
  if (depth < 2 && roll < 0.24)
    return { any: Array.from({ length: Math.floor(next() * 3) }, () => randomEntry(next, depth + 1)) };
  if (depth < 2 && roll < 0.3) return { not: randomEntry(next, depth + 1) };
  if (roll < 0.6) return { exact: { type: pick(next, TYPES) } };
  if (roll < 0.7) return { exact: { stream: pick(next, STREAMS) } };
  if (roll < 0.78) return { prefix: { type: pick(next, ['live.', 'ai.', 'live.g']) } };
  if (roll < 0.84) return { suffix: { source: pick(next, STREAMS) } };
  if (roll < 0.92) return { cel: `event.data.score >= ${Math.floor(next() * 10)}` };
  return { cel: 'event.data.tag.startsWith("v")' };
}

function randomTrigger(next: () => number, index: number): RouterTrigger<string> {
  const name = `t${index}`;
  const roll = next();
  if (roll < 0.2) {
    const attributes: Record<string, string> = { type: next() < 0.8 ? pick(next, TYPES) : '' };
    if (next() < 0.3) attributes.stream = pick(next, [...STREAMS, '']);
    return { name, target: name, filter: { attributes } };
  }
  if (roll < 0.25) return { name, target: name };
  const filters = Array.from({ length: 1 + Math.floor(next() * 3) }, () => randomEntry(next, 0));
  return { name, target: name, filters };
}

function randomEvent(next: () => number): Record<string, unknown> {
  const stream = pick(next, STREAMS);
  const event: Record<string, unknown> = {
    specversion: '1.0',
    id: String(Math.floor(next() * 1e9)),
    type: next() < 0.9 ? pick(next, TYPES) : 'unindexed.type',
    source: `/streams/${stream}`,
    data: { score: Math.floor(next() * 12) },
  };
  if (next() < 0.8) event.stream = stream;
  // Some events lack data.tag, so the startsWith filter errors for them.
  if (next() < 0.7) (event.data as Record<string, unknown>).tag = pick(next, ['vip', 'new']);
  return event;
}

describe('Router', () => {
  it('matches exactly the triggers that naive evaluation of every filter matches, in declaration order', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const next = random(seed);
      const triggers = Array.from({ length: 40 }, (_, i) => randomTrigger(next, i));
      const router = new Router(triggers);
      const naive = triggers.map((t) => ({ name: t.name, test: compileTriggerFilter(t) }));
      for (let i = 0; i < 150; i++) {
        const event = randomEvent(next);
        const expected = naive.filter((t) => t.test(event)).map((t) => t.name);
        expect(router.match(event), `seed ${seed}, event ${JSON.stringify(event)}`).toEqual(expected);
      }
      expect(router.stats.indexedTriggers + router.stats.scannedTriggers).toBeLessThanOrEqual(triggers.length);
    }
  });

  it('indexes triggers that pin the type and scans the rest', () => {
    const router = new Router<string>([
      { name: 'legacy', target: 'legacy', filter: { attributes: { type: 'live.gift', stream: '' } } },
      { name: 'exact', target: 'exact', filters: [{ exact: { type: 'live.gift' } }, { cel: 'event.data.n > 1' }] },
      {
        name: 'nested-all',
        target: 'nested-all',
        filters: [{ all: [{ prefix: { source: '/' } }, { exact: { type: 'live.like' } }] }],
      },
      {
        name: 'any-of-types',
        target: 'any-of-types',
        filters: [{ any: [{ exact: { type: 'live.like' } }, { exact: { type: 'live.vote' } }] }],
      },
      { name: 'prefix', target: 'prefix', filters: [{ prefix: { type: 'live.' } }] },
      { name: 'not', target: 'not', filters: [{ not: { exact: { type: 'live.like' } } }] },
      { name: 'legacy-any-type', target: 'legacy-any-type', filter: { attributes: { type: '' } } },
      { name: 'everything', target: 'everything' },
    ]);
    expect(router.stats).toEqual({ indexedTriggers: 4, scannedTriggers: 4 });
    expect(router.candidateCount('live.gift')).toBe(6);
    expect(router.candidateCount('live.like')).toBe(6);
    expect(router.candidateCount('unknown')).toBe(4);
    const event = { specversion: '1.0', id: '1', type: 'live.like', source: '/s' };
    expect(router.match(event)).toEqual(['nested-all', 'any-of-types', 'prefix', 'legacy-any-type', 'everything']);
  });

  it('evaluates fewer filters than there are triggers for an indexed type', () => {
    const triggers: RouterTrigger<number>[] = Array.from({ length: 100 }, (_, i) => ({
      name: `t${i}`,
      target: i,
      filters: [{ exact: { type: `type.${i}` } }, { exact: { source: '/s' } }],
    }));
    triggers.push({ name: 'scan', target: 100, filters: [{ prefix: { source: '/' } }] });
    const router = new Router(triggers);

    let typeReads = 0;
    const event = new Proxy({ specversion: '1.0', id: '1', type: 'type.42', source: '/s' } as Record<string, unknown>, {
      get(target, key) {
        if (key === 'type') typeReads++;
        return target[key as string];
      },
    });
    expect(router.match(event)).toEqual([42, 100]);
    // One read for the index lookup, one by trigger 42's own filter; the scanned trigger reads source only.
    expect(typeReads).toBe(2);

    typeReads = 0;
    for (const trigger of triggers) compileTriggerFilter(trigger)(event);
    // Naive evaluation runs every trigger's filter.
    expect(typeReads).toBe(100);
  });

  it('reports a filter error with the trigger name and skips that trigger', () => {
    const errors: Array<[string, unknown]> = [];
    const router = new Router<string>(
      [
        {
          name: 'needs-level',
          target: 'a',
          filters: [{ exact: { type: 'live.gift' } }, { cel: 'event.data.viewer.level > 1' }],
        },
        { name: 'all-gifts', target: 'b', filters: [{ exact: { type: 'live.gift' } }] },
      ],
      { onFilterError: (trigger, error) => errors.push([trigger, error]) },
    );
    expect(router.match({ specversion: '1.0', id: '1', type: 'live.gift', source: '/s', data: {} })).toEqual(['b']);
    expect(errors.map(([trigger]) => trigger)).toEqual(['needs-level']);
  });

  it('names the trigger when its filter is invalid', () => {
    expect(() => new Router([{ name: 'bad-one', target: 1, filters: [{ cel: 'event.data.n + 1' }] }])).toThrow(
      /trigger "bad-one": filters\[0\]\.cel/,
    );
  });

  it('rejects two triggers with the same name', () => {
    expect(
      () =>
        new Router([
          { name: 'x', target: 1 },
          { name: 'x', target: 2 },
        ]),
    ).toThrow(expect.objectContaining({ code: 'LP_FILTER_INVALID' }));
  });

  it('never offers a trigger whose exact types contradict each other', () => {
    const router = new Router([
      { name: 'never', target: 1, filters: [{ exact: { type: 'a' } }, { exact: { type: 'b' } }] },
    ]);
    expect(router.match({ specversion: '1.0', id: '1', type: 'a', source: '/s' })).toEqual([]);
    expect(router.candidateCount('a')).toBe(0);
  });
});
