// The generator source: paces the InteractionSimulator's virtual-time sequence in real time, for
// demos, load tests and benchmarks without a broker. What is emitted is deterministic; only
// when it is emitted (and the ingest time stamped on it) depends on the clock and on backpressure.
import type { GeneratorSpec } from '../config/schema.js';
import { INGEST_TIME } from '../events/cloudevent.js';
import {
  generatorStreamNames,
  InteractionSimulator,
  type SimulatedInteraction,
} from './generator/interaction-simulator.js';
import type { Source, SourceContext } from './source.js';

export {
  InteractionSimulator,
  INTERACTION_TYPES,
  type InteractionType,
  type SimulatedInteraction,
} from './generator/interaction-simulator.js';

export interface GeneratorSourceOptions {
  /** Timer period of the pacing loop; every event whose offset has passed is emitted per tick. */
  tickMs?: number;
  /** Clock for pacing and ingest times (epoch ms). */
  now?: () => number;
}

/** A pipeline that always has room never makes the loop wait; yield after this many events in a row. */
const MAX_EVENTS_PER_TURN = 1024;

export class GeneratorSource implements Source {
  readonly name: string;
  readonly streams: readonly string[];
  private readonly spec: GeneratorSpec;
  private readonly tickMs: number;
  private readonly now: () => number;
  private stopped = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private emittedCount = 0;
  private finishedResolve!: () => void;
  private readonly finishedPromise: Promise<void>;

  constructor(name: string, spec: GeneratorSpec, options: GeneratorSourceOptions = {}) {
    this.name = name;
    this.spec = spec;
    this.streams = generatorStreamNames(spec.streams);
    this.tickMs = options.tickMs ?? 5;
    this.now = options.now ?? Date.now;
    this.finishedPromise = new Promise((resolve) => (this.finishedResolve = resolve));
  }

  /** Events delivered so far. */
  get emitted(): number {
    return this.emittedCount;
  }

  /** Resolves when the generator has ended: duration or maxEvents reached, or stopped. */
  finished(): Promise<void> {
    return this.finishedPromise;
  }

  /** Starts pacing and resolves at once; events are delivered until the end or stop(). */
  async start(context: SourceContext): Promise<void> {
    if (this.running) return;
    const startedAt = this.now();
    const simulator = new InteractionSimulator(this.spec, { startEpochMs: startedAt });
    this.running = this.run(simulator, context, startedAt).finally(() => {
      this.stopped = true;
      this.finishedResolve();
    });
  }

  /** Resolves as soon as no further event will be delivered (those delivered may still be in flight). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    if (!this.running) this.finishedResolve();
  }

  private async run(simulator: InteractionSimulator, context: SourceContext, startedAt: number): Promise<void> {
    const maxEvents = this.spec.maxEvents ?? Infinity;
    const duration = this.spec.duration ?? Infinity;
    let pending: SimulatedInteraction = simulator.next();
    while (!this.stopped) {
      const elapsed = this.now() - startedAt;
      let turn = 0;
      while (pending.offsetMs <= elapsed && turn < MAX_EVENTS_PER_TURN) {
        if (this.emittedCount >= maxEvents || pending.offsetMs >= duration) return;
        const event = pending.event;
        event[INGEST_TIME] = this.now();
        this.emittedCount++;
        // The pacing loop does not wait for each event to be handled, only for room in the pipeline.
        void context.deliver(event);
        const room = context.capacity();
        if (room !== undefined) await room;
        if (this.stopped) return;
        pending = simulator.next();
        turn++;
      }
      if (this.emittedCount >= maxEvents || pending.offsetMs >= duration) {
        // Nothing more will be emitted; wait out the duration so the run lasts as configured.
        if (duration === Infinity || this.emittedCount >= maxEvents) return;
        await this.sleep(Math.max(0, startedAt + duration - this.now()));
        return;
      }
      if (turn >= MAX_EVENTS_PER_TURN) await new Promise<void>((resolve) => setImmediate(resolve));
      else await this.sleep(Math.min(this.tickMs, Math.max(1, pending.offsetMs - elapsed)));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
