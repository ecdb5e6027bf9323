// The CloudEvent a text model's result becomes — in the pipeline and from `serve-model` alike, so
// a trigger matches either. It carries the cause's id, stream and ingest time (rooms, e2e timing).
import { CAUSE_ID, INGEST_TIME, STREAM, type LiveEvent } from '../events/cloudevent.js';
import type { ClassificationResult } from './postprocessors/postprocessor.js';

/**
 * The one rule for the type of a model's result events: `ai.<manifest name>.result`, unless the
 * pipeline's `resultType` (or serve-model's `--result-type`) names another. The pipeline and
 * serve-model both use it, so a trigger written against one matches the other.
 */
export function resultTypeOf(manifestName: string, override?: string): string {
  return override ?? `ai.${manifestName}.result`;
}

export function resultEvent(
  model: string,
  type: string,
  cause: LiveEvent,
  text: string,
  result: ClassificationResult,
): LiveEvent {
  const viewer = (cause.data as { viewer?: unknown } | undefined)?.viewer;
  const event: LiveEvent = {
    specversion: '1.0',
    id: `${cause.id}/${model}`,
    source: `/livepipe/models/${model}`,
    type,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    subject: cause.id,
    [CAUSE_ID]: cause.id,
    [INGEST_TIME]: cause[INGEST_TIME],
    data: {
      text,
      viewer,
      label: result.label,
      score: result.score,
      scores: result.scores,
      moderation: result.moderation?.flagged ? 'flagged' : 'ok',
      model,
    },
  };
  if (cause[STREAM] !== undefined) event[STREAM] = cause[STREAM];
  return event;
}
