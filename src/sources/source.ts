// The contract between a source and the rest of the pipeline: a source turns whatever it reads
// into LiveEvents and hands each to the pipeline through its one SourceContext. deliver() says when
// an event is fully handled (a broker source commits after it), capacity() is the backpressure every
// source waits on, and deadLetter() takes input that cannot become an event.
import type { DeadLetter } from '../delivery/dead-letter.js';
import type { LiveEvent } from '../events/cloudevent.js';

export interface SourceContext {
  /**
   * Hands one event to the router. Resolves when every matching subscriber accepted it (down to
   * a model's result) or it was dead-lettered; undefined when that already happened. Never rejects.
   */
  deliver(event: LiveEvent): Promise<void> | undefined;
  /** Backpressure: undefined while the pipeline has room, else resolves once it has (pause until then). */
  capacity(): Promise<void> | undefined;
  /** Input that cannot become an event (a poison record): counted, kept with the reason, forwarded. */
  deadLetter(letter: Omit<DeadLetter, 'time'>): void;
}

export interface Source {
  readonly name: string;
  /** The live streams this source is known to carry, when it knows them up front (for overlay links). */
  readonly streams?: readonly string[];
  /** Where producers send to, for sources that listen (HTTP ingress); known once started. */
  readonly url?: string;
  /** Starts reading and handing events to `context`; resolves once the source reads (or listens). */
  start(context: SourceContext): Promise<void>;
  /** Stops reading; resolves once no more events will be handed on. */
  stop(): Promise<void>;
}
