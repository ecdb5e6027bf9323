// A subscriber that is not part of livepipe itself: a Kafka topic, an HTTP endpoint. send()
// resolves once the destination has the event; a rejection is dead-lettered by the pipeline.
import type { LiveEvent } from '../events/cloudevent.js';

export interface Sink {
  /** For metrics and dead letters, e.g. "kafka:results". */
  readonly name: string;
  start(): Promise<void>;
  send(event: LiveEvent): Promise<void>;
  close(): Promise<void>;
}
