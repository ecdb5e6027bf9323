import { describe, expect, it } from 'vitest';
import { generatorSchema } from '../../../src/config/schema.js';
import { InteractionSimulator, INTERACTION_TYPES } from '../../../src/sources/generator/interaction-simulator.js';
import { ChatCorpus } from '../../../src/sources/generator/chat-corpus.js';
import { CHINESE_CHAT } from '../../../src/sources/generator/chinese-chat.js';
import { detectLanguage } from '../../../src/events/comment-language.js';
import { SeededRandom } from '../../../src/sources/generator/seeded-random.js';
import { LivepipeError } from '../../../src/errors.js';

const spec = (input: Record<string, unknown> = {}) => generatorSchema.parse(input);

function take(simulator: InteractionSimulator, n: number) {
  return Array.from({ length: n }, () => simulator.next());
}

describe('InteractionSimulator', () => {
  it('gives identical first 10,000 events for the same spec', () => {
    const a = take(new InteractionSimulator(spec({ seed: 7, streams: 5 })), 10_000);
    const b = take(new InteractionSimulator(spec({ seed: 7, streams: 5 })), 10_000);
    expect(b).toEqual(a);
  });

  it('gives different events for different seeds', () => {
    const a = take(new InteractionSimulator(spec({ seed: 1 })), 200);
    const b = take(new InteractionSimulator(spec({ seed: 2 })), 200);
    expect(b.map((x) => x.offsetMs)).not.toEqual(a.map((x) => x.offsetMs));
    expect(b.map((x) => x.event.data)).not.toEqual(a.map((x) => x.event.data));
  });

  it('emits non-decreasing offsets and unique ids', () => {
    const events = take(new InteractionSimulator(spec({ streams: 4 })), 5000);
    for (let i = 1; i < events.length; i++) expect(events[i]!.offsetMs).toBeGreaterThanOrEqual(events[i - 1]!.offsetMs);
    expect(new Set(events.map((x) => x.event.id)).size).toBe(events.length);
  });

  it('keeps the type mix close to spec.mix', () => {
    const mix = { comment: 0.5, like: 0.2, gift: 0.1, vote: 0.15, join: 0.05 };
    const n = 40_000;
    const counts = new Map<string, number>();
    for (const { event } of take(new InteractionSimulator(spec({ mix })), n))
      counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    for (const [kind, share] of Object.entries(mix)) {
      expect((counts.get(`live.${kind}`) ?? 0) / n).toBeCloseTo(share, 1.5);
    }
  });

  it('builds the documented event shapes', () => {
    const seen = new Map<string, Record<string, unknown>>();
    for (const { event } of take(new InteractionSimulator(spec({ streams: 2 })), 2000)) {
      expect(event.specversion).toBe('1.0');
      expect(event.datacontenttype).toBe('application/json');
      expect(event.source).toBe(`/live/streams/${event.stream as string}`);
      expect(event.id.startsWith(`${event.stream as string}-`)).toBe(true);
      expect(Number.isNaN(Date.parse(event.time!))).toBe(false);
      const data = event.data as Record<string, unknown>;
      const viewer = data.viewer as { id: string; name: string; level: number };
      expect(typeof viewer.id).toBe('string');
      expect(typeof viewer.name).toBe('string');
      expect(Number.isInteger(viewer.level) && viewer.level >= 1 && viewer.level <= 50).toBe(true);
      seen.set(event.type, data);
    }
    expect([...seen.keys()].sort()).toEqual([...INTERACTION_TYPES].sort());
    expect(typeof seen.get('live.comment')!.text).toBe('string');
    expect(seen.get('live.like')!.count).toBeGreaterThanOrEqual(1);
    const gift = seen.get('live.gift')!.gift as { name: string; value: number; count: number };
    expect(gift.value).toBeGreaterThan(0);
    expect(gift.count).toBeGreaterThanOrEqual(1);
    const poll = seen.get('live.vote')!.poll as { id: string; question: string; option: string; options: string[] };
    expect(poll.options).toContain(poll.option);
    expect(poll.question.length).toBeGreaterThan(0);
  });

  it('raises a stream by about the factor in the second after a scheduled surge', () => {
    const at = 20_000;
    const factor = 10;
    const simulator = new InteractionSimulator(
      spec({
        streams: 3,
        rate: 3000,
        surges: [{ at, stream: 'stream-2', factor, decay: 3000 }],
        randomSurges: { every: 0 },
      }),
    );
    let before = 0;
    let after = 0;
    let other = 0;
    for (;;) {
      const { offsetMs, event } = simulator.next();
      if (offsetMs >= at + 1000) break;
      if (offsetMs < at - 1000) continue;
      if (event.stream !== 'stream-2') {
        if (offsetMs >= at) other++;
        continue;
      }
      if (offsetMs < at) before++;
      else after++;
    }
    // The mean of 1 + 9·e^(−t/3s) over the first second is ≈ 8.65× the normal rate.
    expect(after / before).toBeGreaterThan(factor * 0.6);
    expect(after / before).toBeLessThan(factor * 1.2);
    expect(other).toBeLessThan(after);
  });

  it('rotates each stream through polls and keeps one poll per time', () => {
    const simulator = new InteractionSimulator(
      spec({ streams: 1, rate: 20, mix: { comment: 0, like: 0, gift: 0, vote: 1, join: 0 } }),
    );
    const pollIds: string[] = [];
    for (;;) {
      const { offsetMs, event } = simulator.next();
      if (offsetMs > 20 * 60_000) break;
      const id = (event.data as { poll: { id: string } }).poll.id;
      if (pollIds.at(-1) !== id) pollIds.push(id);
    }
    expect(pollIds.length).toBeGreaterThanOrEqual(4);
    expect(new Set(pollIds).size).toBe(pollIds.length);
  });

  it('rejects a surge on a stream the generator does not have', () => {
    expect(() => new InteractionSimulator(spec({ streams: 2, surges: [{ at: 1000, stream: 'stream-9' }] }))).toThrow(
      LivepipeError,
    );
  });

  it('rejects a mix in which every kind has weight 0', () => {
    expect(() => new InteractionSimulator(spec({ mix: { comment: 0, like: 0, gift: 0, vote: 0, join: 0 } }))).toThrow(
      /positive weight/,
    );
  });
});

describe('InteractionSimulator languages', () => {
  it('chats in Chinese on the streams `languages` names and tags every comment with its language', () => {
    const simulator = new InteractionSimulator(spec({ streams: 3, languages: { 'stream-3': 'zh' } }));
    const comments = take(simulator, 6000)
      .map((x) => x.event)
      .filter((event) => event.type === 'live.comment');
    const byStream = (stream: string) => comments.filter((event) => event.stream === stream);
    const text = (event: (typeof comments)[number]) => (event.data as { text: string }).text;
    expect(byStream('stream-3').length).toBeGreaterThan(100);
    for (const event of byStream('stream-3')) expect(event.language).toBe('zh');
    for (const event of [...byStream('stream-1'), ...byStream('stream-2')]) {
      expect(event.language).toBe('en');
      expect(detectLanguage(text(event))).toBe('en');
    }
    // Most Chinese lines have ideographs (a few are 666 or 233333, as in real rooms).
    const chinese = byStream('stream-3').filter((event) => detectLanguage(text(event)) === 'zh');
    expect(chinese.length / byStream('stream-3').length).toBeGreaterThan(0.8);
    // Other kinds of event carry no language.
    expect(take(simulator, 500).some((x) => x.event.type !== 'live.comment' && 'language' in x.event)).toBe(false);
  });

  it('chats in English everywhere by default', () => {
    const comments = take(new InteractionSimulator(spec({ streams: 3 })), 2000).filter(
      (x) => x.event.type === 'live.comment',
    );
    expect(comments.every((x) => x.event.language === 'en')).toBe(true);
  });

  it('rejects a language for a stream the generator does not have', () => {
    expect(() => new InteractionSimulator(spec({ streams: 2, languages: { 'stream-3': 'zh' } }))).toThrow(
      /generator\.languages names stream "stream-3", but the generator only has stream-1…stream-2/,
    );
  });
});

describe('ChatCorpus', () => {
  it('makes about 5 % of comments abusive', () => {
    const corpus = new ChatCorpus();
    const random = new SeededRandom(3);
    const n = 20_000;
    let abusive = 0;
    for (let i = 0; i < n; i++) if (corpus.compose(random).abusive) abusive++;
    expect(abusive / n).toBeGreaterThan(0.04);
    expect(abusive / n).toBeLessThan(0.06);
  });

  it('varies its text and asks questions', () => {
    const corpus = new ChatCorpus();
    const random = new SeededRandom(4);
    const texts = Array.from({ length: 2000 }, () => corpus.compose(random).text);
    expect(new Set(texts).size).toBeGreaterThan(300);
    expect(texts.some((text) => text.endsWith('?'))).toBe(true);
    expect(texts.every((text) => !text.includes('{'))).toBe(true);
  });
});

describe('Chinese chat', () => {
  it('has at least 40 lines over every kind: praise, complaints, questions, chatter, abuse', () => {
    const lines = Object.values(CHINESE_CHAT.templates).flat();
    expect(lines.length).toBeGreaterThanOrEqual(40);
    for (const kinds of Object.values(CHINESE_CHAT.templates)) expect(kinds.length).toBeGreaterThanOrEqual(5);
  });

  it('varies its text, asks questions and leaves no slot unfilled', () => {
    const corpus = new ChatCorpus(CHINESE_CHAT);
    const random = new SeededRandom(5);
    const texts = Array.from({ length: 2000 }, () => corpus.compose(random).text);
    expect(new Set(texts).size).toBeGreaterThan(200);
    expect(texts.some((text) => text.endsWith('？'))).toBe(true);
    expect(texts.every((text) => !text.includes('{'))).toBe(true);
  });
});
