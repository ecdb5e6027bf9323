// The router benchmarks' workload, shared by the `router` scenario and bench/micro/router-filters.ts:
// N triggers over N/10 event types and 64 events that cycle through those types.
import type { LiveEvent } from '../../src/events/cloudevent.js';
import type { RouterTrigger } from '../../src/router/index.js';

export interface BenchTrigger {
  trigger: RouterTrigger<number>;
  /** The same filter as one CEL expression, for the parse-every-time baseline. */
  cel: string;
  type: string | undefined;
}

/** N triggers over N/10 event types: 9 in 10 pinned to a type (half with a CEL condition), 1 in 10 unpinned CEL. */
function benchTriggers(count: number, types: number): BenchTrigger[] {
  const triggers: BenchTrigger[] = [];
  for (let i = 0; i < count; i++) {
    const type = `live.t${i % types}`;
    if (i % 10 === 9) {
      const cel = `event.data.viewer.level >= ${i % 7} && event.stream == "stream-${i % 3}"`;
      triggers.push({ trigger: { name: `t${i}`, target: i, filters: [{ cel }] }, cel, type: undefined });
    } else if (i % 2 === 0) {
      const condition = `event.data.gift.value >= ${(i * 7) % 200}`;
      triggers.push({
        trigger: { name: `t${i}`, target: i, filters: [{ exact: { type } }, { cel: condition }] },
        cel: `event.type == "${type}" && ${condition}`,
        type,
      });
    } else {
      triggers.push({
        trigger: { name: `t${i}`, target: i, filters: [{ exact: { type } }, { exact: { stream: 'stream-1' } }] },
        cel: `event.type == "${type}" && event.stream == "stream-1"`,
        type,
      });
    }
  }
  return triggers;
}

function benchEvents(types: number): LiveEvent[] {
  const events: LiveEvent[] = [];
  for (let i = 0; i < 64; i++) {
    events.push({
      specversion: '1.0',
      id: `e${i}`,
      // One in eight events has a type no trigger pins (only the unpinned triggers see it).
      type: i % 8 === 7 ? 'live.unrouted' : `live.t${(i * 13) % types}`,
      source: `/live/streams/stream-${(i % 3) + 1}`,
      stream: `stream-${(i % 3) + 1}`,
      ingesttime: 1_700_000_000_000 + i,
      data: {
        viewer: { level: i % 9, name: `v${i}` },
        gift: { value: (i * 37) % 250, name: 'rose' },
        text: 'hello there',
      },
    });
  }
  return events;
}

/** N triggers and the events to route through them; `events.length` is 64, so `events[i & 63]` cycles. */
export function routerWorkload(count: number): { triggers: BenchTrigger[]; events: LiveEvent[] } {
  const types = Math.max(1, Math.round(count / 10));
  return { triggers: benchTriggers(count, types), events: benchEvents(types) };
}
