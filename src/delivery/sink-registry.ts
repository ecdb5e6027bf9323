// Builds the Sink for a trigger subscriber that delivers outside livepipe (kafka: today).
import type { TriggerSpec } from '../config/schema.js';
import { LivepipeError } from '../errors.js';
import type { Sink } from './sink.js';

export type SinkSubscriber = Exclude<TriggerSpec['subscriber'], { model: string } | { overlay: string } | { aggregate: string }>;

export function createSink(trigger: string, subscriber: SinkSubscriber): Sink {
  throw new LivepipeError('LP_CONFIG_INVALID', `trigger "${trigger}": subscriber kind ${Object.keys(subscriber).join(', ')} is not available in this build`);
}
