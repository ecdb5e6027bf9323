// A subscriber that is not part of livepipe itself: a Kafka topic, an HTTP endpoint. send()
// resolves once the destination has the event — with the reply event when the destination
// answered with one (Knative: a reply goes back into the broker); a rejection is dead-lettered.
import type { LiveEvent } from '../events/cloudevent.js';

export interface Sink {
  /** For metrics and dead letters, e.g. "kafka:results". */
  readonly name: string;
  start(): Promise<void>;
  // biome-ignore lint/suspicious/noConfusingVoidType: a sink with no reply may be a plain async function that returns nothing
  send(event: LiveEvent): Promise<LiveEvent | undefined | void>;
  close(): Promise<void>;
}
