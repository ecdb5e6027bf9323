// A SourceContext for testing one source without a pipeline: it records what the source delivers
// and dead-letters, and lets the test decide when a delivery completes and when there is room.
import type { DeadLetter } from '../../src/delivery/dead-letter.js';
import type { LiveEvent } from '../../src/events/cloudevent.js';
import type { SourceContext } from '../../src/sources/source.js';

export interface RecordingSourceContextOptions {
  /** When the delivery of an event completes; default: at once (deliver() returns undefined). */
  settle?: (event: LiveEvent) => Promise<void> | undefined;
  /** The backpressure the source sees; default: always room. */
  capacity?: () => Promise<void> | undefined;
}

export interface RecordingSourceContext {
  readonly context: SourceContext;
  readonly delivered: LiveEvent[];
  readonly deadLetters: Array<Omit<DeadLetter, 'time'>>;
}

export function recordingSourceContext(options: RecordingSourceContextOptions = {}): RecordingSourceContext {
  const delivered: LiveEvent[] = [];
  const deadLetters: Array<Omit<DeadLetter, 'time'>> = [];
  const { settle, capacity } = options;
  const context: SourceContext = {
    deliver(event) {
      delivered.push(event);
      return settle?.(event);
    },
    capacity: () => capacity?.(),
    deadLetter: (letter) => void deadLetters.push(letter),
  };
  return { context, delivered, deadLetters };
}
