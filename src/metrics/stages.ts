// The pipeline stages that each record a duration against their latency budget (DESIGN.md).

export const STAGES = ['source', 'route', 'queue', 'infer', 'push', 'e2e'] as const;
export type Stage = (typeof STAGES)[number];
