// Builds the Sink for a trigger subscriber that delivers outside livepipe (kafka, uri), wrapped in
// its Knative delivery (retry, backoff, timeout, dead-letter sink) where one applies.
import { deliverySchema, type DeliverySpec } from '../config/delivery-schema.js';
import type { TriggerSpec } from '../config/schema.js';
import { LivepipeError } from '../errors.js';
import { KafkaSink } from './kafka-sink.js';
import type { Sink } from './sink.js';
import { createDeadLetterSink } from './dead-letter-sinks.js';
import { DeliveringSink } from './delivering-sink.js';
import { DeliveryPolicy } from './delivery-policy.js';
import { HttpSubscriberSink } from './http-subscriber.js';

export type SinkSubscriber = Exclude<
  TriggerSpec['subscriber'],
  { model: string } | { overlay: string } | { aggregate: string }
>;

/** The trigger's `delivery`, else the pipeline's; a uri subscriber without either gets Knative's (no retries, no dead-letter sink). */
export interface SinkOptions {
  delivery?: DeliverySpec;
}

export function createSink(trigger: string, subscriber: SinkSubscriber, options: SinkOptions = {}): Sink {
  if ('uri' in subscriber && subscriber.uri !== undefined) {
    const delivery = options.delivery ?? deliverySchema.parse({});
    const inner = new HttpSubscriberSink({
      uri: subscriber.uri,
      format: subscriber.format,
      concurrency: subscriber.concurrency,
      timeoutMs: delivery.timeout,
    });
    return deliveringSink(trigger, inner, delivery, withoutCredentials(subscriber.uri), true);
  }
  if ('kafka' in subscriber && subscriber.kafka !== undefined && options.delivery !== undefined) {
    const inner = new KafkaSink(`kafka:${subscriber.kafka.topic}`, subscriber.kafka);
    return deliveringSink(trigger, inner, options.delivery, `kafka:${subscriber.kafka.topic}`, false);
  }
  if ('kafka' in subscriber && subscriber.kafka !== undefined)
    return new KafkaSink(`kafka:${subscriber.kafka.topic}`, subscriber.kafka);
  throw new LivepipeError(
    'LP_CONFIG_INVALID',
    `trigger "${trigger}": subscriber kind ${Object.keys(subscriber).join(', ')} is not available in this build`,
  );
}

function deliveringSink(
  trigger: string,
  inner: Sink,
  delivery: DeliverySpec,
  destination: string,
  innerEnforcesTimeout: boolean,
): Sink {
  const policy = new DeliveryPolicy({
    retry: delivery.retry,
    backoffPolicy: delivery.backoffPolicy,
    backoffDelayMs: delivery.backoffDelay,
    timeoutMs: delivery.timeout,
    retryAfterMaxMs: delivery.retryAfterMax,
  });
  const deadLetterSink =
    delivery.deadLetterSink === undefined
      ? undefined
      : createDeadLetterSink(delivery.deadLetterSink, `trigger "${trigger}"`, delivery.timeout);
  return new DeliveringSink(inner, { policy, deadLetterSink, destination, innerEnforcesTimeout });
}

/** knativeerrordest travels with every dead letter: user:password in a subscriber URI must not. */
function withoutCredentials(uri: string): string {
  const url = new URL(uri);
  if (url.username === '' && url.password === '') return uri;
  url.username = '';
  url.password = '';
  return url.href;
}
