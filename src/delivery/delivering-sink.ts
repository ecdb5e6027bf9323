// Knative delivery around any Sink: retries with backoff (honouring Retry-After), a limit per
// attempt, and a dead-letter sink that gets the event with the knativeerror* extensions once the
// retries are spent. send() rejects only when the event could be neither delivered nor dead-lettered.
import { pino, type Logger } from 'pino';
import type { LiveEvent } from '../events/cloudevent.js';
import { DeliveryFailure, deliveryFailureOf } from './delivery-failure.js';
import type { DeliveryPolicy } from './delivery-policy.js';
import { withKnativeError } from './knative-error-extensions.js';
import type { Sink } from './sink.js';

/** A dead letter is the last copy of an event: it gets at least this many retries. */
export const DEAD_LETTER_MIN_RETRIES = 3;

export interface DeliveringSinkOptions {
  policy: DeliveryPolicy;
  /** Where undeliverable events go; omitted: send() rejects and the pipeline's dead-letter log keeps them. */
  deadLetterSink?: Sink;
  /** knativeerrordest of dead letters, e.g. the subscriber's URL; default the sink's name. */
  destination?: string;
  /** The inner sink limits its own attempts (HttpSubscriberSink aborts the request); otherwise each attempt is raced against policy.timeoutMs. */
  innerEnforcesTimeout?: boolean;
  logger?: Logger;
}

/** What happened to the events sent so far. */
export interface DeliveryCounts {
  delivered: number;
  retries: number;
  /** Events handed to the dead-letter sink. */
  deadLettered: number;
  /** Failed attempts to hand an event to the dead-letter sink (each one logged). */
  deadLetterFailures: number;
  /** Events neither delivered nor dead-lettered: send() rejected. */
  failed: number;
}

let defaultLogger: Logger | undefined;

function deliveryLog(): Logger {
  defaultLogger ??= pino({ name: 'livepipe-delivery', level: 'warn' }, pino.destination(2));
  return defaultLogger;
}

export class DeliveringSink implements Sink {
  readonly name: string;
  readonly inner: Sink;
  private readonly policy: DeliveryPolicy;
  private readonly deadLetterPolicy: DeliveryPolicy;
  private readonly deadLetterSink: Sink | undefined;
  private readonly destination: string;
  private readonly raceTimeout: boolean;
  private readonly logger: Logger | undefined;
  private readonly countsValue: DeliveryCounts = {
    delivered: 0,
    retries: 0,
    deadLettered: 0,
    deadLetterFailures: 0,
    failed: 0,
  };

  constructor(inner: Sink, options: DeliveringSinkOptions) {
    this.inner = inner;
    this.name = inner.name;
    this.policy = options.policy;
    this.deadLetterPolicy = options.policy.withAtLeast(DEAD_LETTER_MIN_RETRIES);
    this.deadLetterSink = options.deadLetterSink;
    this.destination = options.destination ?? inner.name;
    this.raceTimeout = options.innerEnforcesTimeout !== true;
    this.logger = options.logger;
  }

  get counts(): Readonly<DeliveryCounts> {
    return this.countsValue;
  }

  async start(): Promise<void> {
    await this.inner.start();
    await this.deadLetterSink?.start();
  }

  async send(event: LiveEvent): Promise<LiveEvent | undefined> {
    const outcome = await this.deliver(this.inner, event, this.policy, this.raceTimeout);
    if (!(outcome instanceof DeliveryFailure)) {
      this.countsValue.delivered++;
      return outcome ?? undefined;
    }
    const failure = outcome;
    if (this.deadLetterSink === undefined) {
      this.countsValue.failed++;
      throw failure;
    }
    const letter = withKnativeError(event, this.destination, failure);
    const deadLettered = await this.deliver(
      this.deadLetterSink,
      letter,
      this.deadLetterPolicy,
      true,
      (attemptFailure, attempt, willRetry) => {
        this.countsValue.deadLetterFailures++;
        (this.logger ?? deliveryLog()).warn(
          {
            destination: this.destination,
            deadLetterSink: this.deadLetterSink!.name,
            event: event.id,
            attempt,
            willRetry,
            error: attemptFailure.message,
          },
          willRetry ? 'dead-letter sink refused an event; retrying' : 'dead-letter sink refused an event; giving up',
        );
      },
    );
    if (deadLettered instanceof DeliveryFailure) {
      this.countsValue.failed++;
      throw new DeliveryFailure(
        failure.kind,
        `${failure.message}; the dead-letter sink ${this.deadLetterSink.name} failed too: ${deadLettered.message}`,
        {
          status: failure.status,
          body: failure.body,
          retryable: false,
          reason: 'dead-letter-failed',
          cause: deadLettered,
        },
      );
    }
    this.countsValue.deadLettered++;
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.inner.close(), this.deadLetterSink?.close()]);
  }

  /** Attempts until success, a failure that is not retryable, or the retries are spent; never rejects. */
  private async deliver(
    sink: Sink,
    event: LiveEvent,
    policy: DeliveryPolicy,
    raceTimeout: boolean,
    onFailedAttempt?: (failure: DeliveryFailure, attempt: number, willRetry: boolean) => void,
    // biome-ignore lint/suspicious/noConfusingVoidType: what Sink.send resolves with, passed through
  ): Promise<LiveEvent | undefined | void | DeliveryFailure> {
    for (let retries = 0; ; retries++) {
      let failure: DeliveryFailure;
      try {
        return await (raceTimeout ? withTimeout(sink, event, policy.timeoutMs) : sink.send(event));
      } catch (error) {
        failure = deliveryFailureOf(error);
      }
      const willRetry = failure.retryable && retries < policy.retry;
      onFailedAttempt?.(failure, retries + 1, willRetry);
      if (!willRetry) return failure;
      if (sink === this.inner) this.countsValue.retries++;
      await sleep(policy.delayBeforeRetry(retries + 1, failure.retryAfterMs));
    }
  }
}

// biome-ignore lint/suspicious/noConfusingVoidType: what Sink.send resolves with, passed through
function withTimeout(sink: Sink, event: LiveEvent, timeoutMs: number): Promise<LiveEvent | undefined | void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new DeliveryFailure('timeout', `${sink.name} did not take the event within ${timeoutMs} ms`, {
          body: Buffer.from(`dispatch error: timeout after ${timeoutMs} ms`, 'utf8'),
          retryable: true,
        }),
      );
    }, timeoutMs);
    sink.send(event).then(
      (reply) => {
        clearTimeout(timer);
        resolve(reply);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
