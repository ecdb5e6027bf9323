// The demo pipeline's triggers, compiled as `run` compiles them: comments go to the model of their
// language, and both models' results reach the overlay.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../../src/config/load-pipeline.js';
import type { LiveEvent } from '../../../src/events/cloudevent.js';
import { tagLanguage } from '../../../src/events/comment-language.js';
import { Router } from '../../../src/router/router.js';

const comment = (text: string, extra: Partial<LiveEvent> = {}): LiveEvent => ({
  specversion: '1.0',
  id: 'c1',
  source: '/live/streams/stream-3',
  type: 'live.comment',
  stream: 'stream-3',
  data: { text },
  ...extra,
});

describe('pipelines/live-interaction.yaml routing', () => {
  let router: Router<string>;
  let resultTypes: Map<string, string | undefined>;

  beforeAll(async () => {
    const demo = await loadPipeline('pipelines/live-interaction.yaml');
    router = new Router(demo.triggers.map((trigger) => ({ ...trigger, target: trigger.name })));
    resultTypes = new Map(demo.models.map((model) => [model.name, model.resultType]));
  });

  it('sends English comments to chat-sentiment and Chinese ones to chat-sentiment-zh', () => {
    expect(router.match(comment('gg well played', { language: 'en' }))).toEqual(['comments-to-sentiment']);
    expect(router.match(comment('主播yyds', { language: 'zh' }))).toEqual(['chinese-comments-to-sentiment']);
  });

  it('routes a comment with no language (Kafka, HTTP) by the language tagged at ingest', () => {
    const untagged = comment('卡了吗？');
    tagLanguage(untagged);
    expect(router.match(untagged)).toEqual(['chinese-comments-to-sentiment']);
  });

  it("shows both models' results on the overlay, whatever manifest the zh pool runs", () => {
    for (const type of [...resultTypes.values(), 'ai.chat-sentiment-zh.result']) {
      expect(router.match({ specversion: '1.0', id: 'r', source: '/livepipe/models/x', type: type! })).toEqual([
        'scored-comments-to-overlay',
      ]);
    }
  });
});
