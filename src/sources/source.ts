// The contract between a source and the rest of the pipeline: a source turns whatever it reads
// into LiveEvents and hands each to the sink. A sink that returns a promise is applying
// backpressure; the source waits for it before it acknowledges the input.
import type { LiveEvent } from '../events/cloudevent.js';

export type EventSink = (event: LiveEvent) => void | Promise<void>;

export interface Source {
  readonly name: string;
  /** The live streams this source is known to carry, when it knows them up front (for overlay links). */
  readonly streams?: readonly string[];
  start(sink: EventSink): Promise<void>;
  /** Stops reading; resolves once no more events will be handed to the sink. */
  stop(): Promise<void>;
}
