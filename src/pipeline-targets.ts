// What a trigger delivers to: resolved once at load from the trigger's `subscriber`.
import type { Sink } from './delivery/sink.js';

export type Target =
  | { kind: 'model'; model: string; resultType: string; destination: string }
  | { kind: 'overlay'; channel: string; sinkName: string }
  | { kind: 'aggregate'; aggregation: string }
  | { kind: 'sink'; sink: Sink };

export const AGGREGATE_CHANNELS = { hype: 'hype', poll: 'poll' } as const;

// Labels used per event (dead-letter destination, events-out sink) are built here, once.
export const modelTarget = (model: string, resultType: string): Target => ({
  kind: 'model',
  model,
  resultType,
  destination: `model:${model}`,
});
export const overlayTarget = (channel: string): Target => ({
  kind: 'overlay',
  channel,
  sinkName: `overlay:${channel}`,
});
export const aggregateTarget = (aggregation: string): Target => ({ kind: 'aggregate', aggregation });
export const sinkTarget = (sink: Sink): Target => ({ kind: 'sink', sink });
