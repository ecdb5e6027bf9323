import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../src/events/cloudevent.js';
import { detectLanguage, tagLanguage } from '../../../src/events/comment-language.js';

describe('detectLanguage', () => {
  it.each([
    ['stream is freezing again', 'en'],
    ['主播晚上好！', 'zh'],
    ['主播yyds！', 'zh'],
    ['awsl，这也太可爱了吧', 'zh'],
    ['笑死我了xswl', 'zh'],
    ['這個皮膚多少錢？', 'zh'],
    ['gg 好', 'zh'],
    ['love the 主播 energy tonight, really great stream', 'en'],
    ['666', 'en'],
    ['🔥🔥🔥', 'en'],
    ['', 'en'],
  ] as const)('%j reads as %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });
});

describe('tagLanguage', () => {
  const comment = (extra: Partial<LiveEvent>): LiveEvent => ({
    specversion: '1.0',
    id: 'c1',
    source: '/kafka',
    type: 'live.comment',
    ...extra,
  });

  it('sets language from data.text when the event has none', () => {
    const event = comment({ data: { text: '卡了吗？' } });
    tagLanguage(event);
    expect(event.language).toBe('zh');
  });

  it('keeps a language the producer set', () => {
    const event = comment({ data: { text: '卡了吗？' }, language: 'en' });
    tagLanguage(event);
    expect(event.language).toBe('en');
  });

  it('leaves events without text untagged', () => {
    const event = comment({ type: 'live.like', data: { count: 1 } });
    tagLanguage(event);
    expect('language' in event).toBe(false);
  });
});
