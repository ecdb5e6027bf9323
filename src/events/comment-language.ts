// The `language` extension of a comment, for routing comments to a model per language. Generated
// comments carry it from the generator; for the rest (Kafka, HTTP, RocketMQ) the pipeline tags
// each event with text at ingest by a deliberately cheap rule, one pass over the text and no
// model: Chinese when CJK ideographs are at least a quarter of its letters, English otherwise.
import { LANGUAGE, type LiveEvent } from './cloudevent.js';

export type CommentLanguage = 'en' | 'zh';

/** Of the letters (ideographs and Latin letters), the share of CJK ideographs that makes text `zh`. */
const CJK_SHARE = 0.25;

/** `zh` when at least a quarter of the letters are CJK ideographs ("主播yyds" is zh), else `en`. */
export function detectLanguage(text: string): CommentLanguage {
  let cjk = 0;
  let latin = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff))
      cjk++;
    else if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) latin++;
  }
  return cjk > 0 && cjk >= CJK_SHARE * (cjk + latin) ? 'zh' : 'en';
}

/**
 * Sets `language` on an event whose `data.text` is a string and that has none yet (a source or
 * producer may set it; that wins). Mutates the event: it is the pipeline's own at ingest.
 */
export function tagLanguage(event: LiveEvent): void {
  if (event[LANGUAGE] !== undefined) return;
  const text = (event.data as { text?: unknown } | undefined)?.text;
  if (typeof text === 'string') event[LANGUAGE] = detectLanguage(text);
}
