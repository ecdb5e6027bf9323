// What a trigger delivers to: resolved once at load from the trigger's `subscriber`.

export type Target =
  | { kind: 'model'; model: string; resultType: string }
  | { kind: 'overlay'; channel: string }
  | { kind: 'aggregate'; aggregation: string };

export const AGGREGATE_CHANNELS = { hype: 'hype', poll: 'poll' } as const;

export const modelTarget = (model: string, resultType: string): Target => ({ kind: 'model', model, resultType });
export const overlayTarget = (channel: string): Target => ({ kind: 'overlay', channel });
export const aggregateTarget = (aggregation: string): Target => ({ kind: 'aggregate', aggregation });
