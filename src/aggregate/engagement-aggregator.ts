// Windowed engagement per stream from likes, gifts, votes, joins and comments: the hype meter
// and poll tallies the overlay shows. Fed by an aggregate trigger; read on a publish timer.
import type { AggregationSpec } from '../config/schema.js';
import { STREAM, type LiveEvent } from '../events/cloudevent.js';
import { LivepipeError } from '../errors.js';
import { hypeLevel } from './hype-meter.js';
import { PollTally, type PollSnapshot } from './poll-tally.js';
import { SlidingWindowCounter } from './sliding-window-counter.js';

export interface HypeReading {
  /** 0..1, saturating in (likes/s + gift value/s) over hypeFullScale. */
  hype: number;
  likesPerSec: number;
  giftValuePerSec: number;
  giftsPerSec: number;
  joinsPerSec: number;
  votesPerSec: number;
  commentsPerSec: number;
}

const LIKES = 0;
const GIFT_VALUE = 1;
const GIFTS = 2;
const JOINS = 3;
const VOTES = 4;
const COMMENTS = 5;
const CHANNELS = 6;

/** Beyond this a window needs a coarser bucket; reading it would cost too much per publish. */
const MAX_BUCKETS = 100_000;

interface StreamState {
  window: SlidingWindowCounter;
  poll: PollTally;
}

export class EngagementAggregator {
  readonly name: string;
  private readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly fullScale: number;
  private readonly perStream = new Map<string, StreamState>();
  private late = 0;
  private malformed = 0;

  constructor(spec: AggregationSpec) {
    const { name, window, bucket } = spec;
    if (!(bucket > 0)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `aggregation "${name}": bucket must be longer than 0 ms; use e.g. bucket: 1s`,
      );
    }
    if (window < bucket || Math.abs(window / bucket - Math.round(window / bucket)) > 1e-9) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `aggregation "${name}": window (${window} ms) must be a whole multiple of bucket (${bucket} ms); choose a bucket that divides the window`,
      );
    }
    if (window / bucket > MAX_BUCKETS) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `aggregation "${name}": window/bucket is ${window / bucket}; use a bucket of at least ${Math.ceil(window / MAX_BUCKETS)} ms`,
      );
    }
    this.name = name;
    this.windowMs = window;
    this.bucketMs = bucket;
    this.fullScale = spec.hypeFullScale;
  }

  /** Events that arrived later than the window and were not counted. */
  get lateEvents(): number {
    return this.late;
  }

  /** Engagement events whose data lacked the fields they count by (not counted). */
  get malformedEvents(): number {
    return this.malformed;
  }

  /**
   * Counts an event at `nowMs` (its arrival, or any timestamp the caller trusts). Timestamps may
   * arrive out of order; one older than the window behind the newest seen is counted as late.
   * Returns whether the event was counted.
   */
  add(event: LiveEvent, nowMs: number): boolean {
    const data = event.data as Record<string, unknown> | null | undefined;
    let channel: number;
    let amount = 1;
    let giftCount = 0;
    switch (event.type) {
      case 'live.like': {
        const count = data?.count;
        if (typeof count === 'number' && count >= 0) amount = count;
        channel = LIKES;
        break;
      }
      case 'live.gift': {
        const gift = data?.gift as { value?: unknown; count?: unknown } | undefined;
        const count = gift?.count ?? 1;
        if (typeof gift?.value !== 'number' || typeof count !== 'number' || !(count >= 0)) return this.reject();
        giftCount = count;
        amount = gift.value * count;
        channel = GIFT_VALUE;
        break;
      }
      case 'live.vote': {
        const poll = data?.poll as
          | { id?: unknown; question?: unknown; option?: unknown; options?: unknown }
          | undefined;
        if (typeof poll?.id !== 'string' || typeof poll.option !== 'string') return this.reject();
        const state = this.stateOf(event);
        const options = Array.isArray(poll.options) ? (poll.options as string[]) : undefined;
        if (!state.poll.vote(poll.id, typeof poll.question === 'string' ? poll.question : '', poll.option, options)) {
          this.late++;
          return false;
        }
        return this.count(state, nowMs, VOTES, 1);
      }
      case 'live.join':
        channel = JOINS;
        break;
      case 'live.comment':
        channel = COMMENTS;
        break;
      default:
        return false;
    }
    return this.count(this.stateOf(event), nowMs, channel, amount, giftCount);
  }

  hype(stream: string, nowMs: number): HypeReading {
    const window = this.perStream.get(stream)?.window;
    const seconds = this.windowMs / 1000;
    const rate = (channel: number) => (window ? window.sum(channel, nowMs) / seconds : 0);
    const likesPerSec = rate(LIKES);
    const giftValuePerSec = rate(GIFT_VALUE);
    return {
      hype: hypeLevel(likesPerSec + giftValuePerSec, this.fullScale),
      likesPerSec,
      giftValuePerSec,
      giftsPerSec: rate(GIFTS),
      joinsPerSec: rate(JOINS),
      votesPerSec: rate(VOTES),
      commentsPerSec: rate(COMMENTS),
    };
  }

  /** Tallies of the stream's current poll (all its votes, not windowed). */
  poll(stream: string): PollSnapshot | undefined {
    return this.perStream.get(stream)?.poll.snapshot();
  }

  streams(): string[] {
    return [...this.perStream.keys()];
  }

  private count(state: StreamState, nowMs: number, channel: number, amount: number, gifts = 0): boolean {
    const slot = state.window.slot(nowMs);
    if (slot < 0) {
      this.late++;
      return false;
    }
    state.window.increment(slot, channel, amount);
    if (channel === GIFT_VALUE) state.window.increment(slot, GIFTS, gifts);
    return true;
  }

  private reject(): false {
    this.malformed++;
    return false;
  }

  private stateOf(event: LiveEvent): StreamState {
    const extension = event[STREAM];
    const stream = typeof extension === 'string' ? extension : event.source;
    let state = this.perStream.get(stream);
    if (!state) {
      state = { window: new SlidingWindowCounter(this.windowMs, this.bucketMs, CHANNELS), poll: new PollTally() };
      this.perStream.set(stream, state);
    }
    return state;
  }
}
