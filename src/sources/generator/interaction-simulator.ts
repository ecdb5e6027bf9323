// The generator's pure core: simulated live streams in virtual time. Each call to next() returns
// the next interaction and its offset from the start; the sequence is a function of the spec
// alone (no wall clock), so runs, tests and benchmarks can be replayed exactly.
import type { GeneratorSpec } from '../../config/schema.js';
import { INGEST_TIME, LANGUAGE, STREAM, type LiveEvent } from '../../events/cloudevent.js';
import { LivepipeError } from '../../errors.js';
import { ChatCorpus } from './chat-corpus.js';
import { CHINESE_CHAT } from './chinese-chat.js';
import { GIFT_CATALOG } from './gift-catalog.js';
import { POLL_CATALOG } from './poll-catalog.js';
import { SeededRandom, pickWeighted } from './seeded-random.js';
import { viewerLevel, viewerName } from './viewer-names.js';

export interface SimulatedInteraction {
  /** Scheduled time of the interaction, ms after the generator's start (virtual time). */
  offsetMs: number;
  event: LiveEvent;
}

export interface SimulatorOptions {
  /** Epoch ms that offset 0 maps to in the events' `time`; default 0 keeps `time` deterministic too. */
  startEpochMs?: number;
}

export const INTERACTION_TYPES = ['live.comment', 'live.like', 'live.gift', 'live.vote', 'live.join'] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/** Rates are piecewise constant over slices; popularity drift and surges update per slice. */
const SLICE_MS = 100;
/** Zipf exponent of the streams' baseline popularity. */
const POPULARITY_EXPONENT = 0.8;
/** Mean-reverting drift of each stream's log-rate: reverts over about a minute, spread ±0.4. */
const DRIFT_REVERSION_PER_MS = 1 / 60_000;
const DRIFT_SPREAD = 0.4;
const POLL_MIN_MS = 120_000;
const POLL_MAX_MS = 300_000;
/** A surge is dropped once its extra rate falls below 1 % of the stream's normal rate. */
const SURGE_FLOOR = 0.01;

interface Surge {
  start: number;
  end: number;
  /** Stream index, or -1 for all streams. */
  stream: number;
  extra: number;
  decay: number;
}

interface Poll {
  id: string;
  question: string;
  options: readonly string[];
  cumulative: Float64Array;
  total: number;
  endsAt: number;
  serial: number;
}

interface Viewer {
  id: string;
  name: string;
  level: number;
}

export class InteractionSimulator {
  readonly streams: readonly string[];
  private readonly sources: readonly string[];
  private readonly startEpochMs: number;
  private readonly arrivals: SeededRandom;
  private readonly dynamics: SeededRandom;
  private readonly content: SeededRandom;
  /** Per stream: its chat corpus and the `language` its comments carry. */
  private readonly chat: ReadonlyArray<{ corpus: ChatCorpus; language: 'en' | 'zh' }>;

  private readonly baseRate: Float64Array;
  private readonly drift: Float64Array;
  private readonly surgeBoost: Float64Array;
  private readonly rate: Float64Array;
  private readonly cumulativeRate: Float64Array;
  private totalRate = 0;
  private readonly sequence: Float64Array;
  private readonly population: Float64Array;
  private readonly polls: Poll[] = [];

  private readonly mixCumulative: Float64Array;
  private readonly mixTotal: number;
  private readonly giftCumulative: Float64Array;
  private readonly giftTotal: number;

  private readonly scheduled: Surge[];
  private scheduledNext = 0;
  private readonly active: Surge[] = [];
  private readonly randomSurges: GeneratorSpec['randomSurges'];
  private nextRandomSurge = Infinity;

  private now = 0;
  private sliceEnd = 0;

  constructor(spec: GeneratorSpec, options: SimulatorOptions = {}) {
    const count = spec.streams;
    this.startEpochMs = options.startEpochMs ?? 0;
    this.streams = generatorStreamNames(count);
    this.sources = this.streams.map((stream) => `/live/streams/${stream}`);
    this.chat = this.chatPerStream(spec.languages);
    this.arrivals = SeededRandom.derive(spec.seed, 'arrivals');
    this.dynamics = SeededRandom.derive(spec.seed, 'dynamics');
    this.content = SeededRandom.derive(spec.seed, 'content');

    const mix = [spec.mix.comment, spec.mix.like, spec.mix.gift, spec.mix.vote, spec.mix.join];
    this.mixCumulative = cumulativeOf(mix);
    this.mixTotal = this.mixCumulative[mix.length - 1] as number;
    if (!(this.mixTotal > 0)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        'generator.mix gives every interaction kind weight 0; give at least one of comment, like, gift, vote, join a positive weight',
      );
    }
    this.giftCumulative = cumulativeOf(GIFT_CATALOG.map((gift) => gift.weight));
    this.giftTotal = this.giftCumulative[GIFT_CATALOG.length - 1] as number;

    this.baseRate = new Float64Array(count);
    let weightSum = 0;
    for (let i = 0; i < count; i++) weightSum += 1 / (i + 1) ** POPULARITY_EXPONENT;
    // The drift multiplier exp(x − σ²/2) has mean 1, so the spec's rate stays the long-run mean.
    for (let i = 0; i < count; i++) this.baseRate[i] = spec.rate / weightSum / (i + 1) ** POPULARITY_EXPONENT / 1000;
    this.drift = new Float64Array(count);
    for (let i = 0; i < count; i++) this.drift[i] = DRIFT_SPREAD * this.dynamics.normal();
    this.surgeBoost = new Float64Array(count);
    this.rate = new Float64Array(count);
    this.cumulativeRate = new Float64Array(count);
    this.sequence = new Float64Array(count);
    this.population = new Float64Array(count);
    for (let i = 0; i < count; i++)
      this.population[i] = Math.round(200 + (50_000 * (this.baseRate[i] as number) * 1000) / spec.rate);
    for (let i = 0; i < count; i++) this.polls.push(this.newPoll(i, 0, 1));

    this.scheduled = spec.surges
      .map((surge, index) => ({
        start: surge.at,
        stream: this.streamIndex(surge.stream, index),
        extra: surge.factor - 1,
        decay: surge.decay,
        end: surgeEnd(surge.at, surge.factor - 1, surge.decay),
      }))
      .sort((a, b) => a.start - b.start);
    this.randomSurges = spec.randomSurges;
    if (spec.randomSurges.every > 0) this.nextRandomSurge = this.dynamics.exponential(1 / spec.randomSurges.every);

    this.startSlice(0);
  }

  /** The next interaction in virtual time; the sequence never ends. */
  next(): SimulatedInteraction {
    // Arrivals are Poisson with a rate that is constant within a slice; the exponential gap is
    // memoryless, so redrawing from a slice boundary is exact.
    for (;;) {
      const gap = this.totalRate > 0 ? this.arrivals.exponential(this.totalRate) : Infinity;
      if (this.now + gap < this.sliceEnd) {
        this.now += gap;
        break;
      }
      this.now = this.sliceEnd;
      this.startSlice(this.sliceEnd);
    }
    const stream = pickWeighted(this.cumulativeRate, this.totalRate, this.arrivals);
    const kind = pickWeighted(this.mixCumulative, this.mixTotal, this.content);
    return { offsetMs: this.now, event: this.build(stream, kind, this.now) };
  }

  /** Current rate of a stream in interactions per second (for tests and the status of a run). */
  rateOf(stream: number): number {
    return (this.rate[stream] ?? 0) * 1000;
  }

  private build(stream: number, kind: number, at: number): LiveEvent {
    const name = this.streams[stream] as string;
    const n = ++(this.sequence[stream] as number);
    const viewer = this.viewer(stream);
    const random = this.content;
    let type: InteractionType;
    let data: unknown;
    let language: string | undefined;
    switch (kind) {
      case 0: {
        type = 'live.comment';
        const chat = this.chat[stream]!;
        data = { viewer, text: chat.corpus.compose(random).text };
        language = chat.language;
        break;
      }
      case 1:
        type = 'live.like';
        data = { viewer, count: random.chance(0.7) ? 1 : Math.min(50, 2 + Math.floor(random.exponential(0.25))) };
        break;
      case 2: {
        type = 'live.gift';
        const gift = GIFT_CATALOG[pickWeighted(this.giftCumulative, this.giftTotal, random)]!;
        const count = random.chance(0.8) ? 1 : random.chance(0.9) ? random.between(2, 10) : 99;
        data = { viewer, gift: { name: gift.name, value: gift.value, count } };
        break;
      }
      case 3: {
        type = 'live.vote';
        const poll = this.pollAt(stream, at);
        const option = poll.options[pickWeighted(poll.cumulative, poll.total, random)] as string;
        data = { viewer, poll: { id: poll.id, question: poll.question, option, options: poll.options } };
        break;
      }
      default:
        type = 'live.join';
        data = { viewer };
    }
    const event: LiveEvent = {
      specversion: '1.0',
      id: `${name}-${n}`,
      source: this.sources[stream] as string,
      type,
      time: new Date(this.startEpochMs + Math.floor(at)).toISOString(),
      datacontenttype: 'application/json',
      [STREAM]: name,
      [INGEST_TIME]: 0,
      data,
    };
    if (language !== undefined) event[LANGUAGE] = language;
    return event;
  }

  /** One English corpus shared by the English streams, one per other language in use. */
  private chatPerStream(languages: GeneratorSpec['languages']): Array<{ corpus: ChatCorpus; language: 'en' | 'zh' }> {
    for (const stream of Object.keys(languages)) {
      if (!this.streams.includes(stream)) {
        throw new LivepipeError(
          'LP_CONFIG_INVALID',
          `generator.languages names stream "${stream}", but the generator only has ${this.streams[0]}…${this.streams.at(-1)}; name one of those`,
        );
      }
    }
    const english = { corpus: new ChatCorpus(), language: 'en' as const };
    let chinese: { corpus: ChatCorpus; language: 'zh' } | undefined;
    return this.streams.map((stream) => {
      if (languages[stream] !== 'zh') return english;
      chinese ??= { corpus: new ChatCorpus(CHINESE_CHAT), language: 'zh' };
      return chinese;
    });
  }

  private viewer(stream: number): Viewer {
    // A square law makes a few regulars interact far more often than the rest, as in real chats.
    const u = this.content.next();
    const number = stream * 1_000_000 + Math.floor(u * u * (this.population[stream] as number));
    return { id: `v${number}`, name: viewerName(number), level: viewerLevel(number) };
  }

  private pollAt(stream: number, at: number): Poll {
    let poll = this.polls[stream] as Poll;
    while (at >= poll.endsAt) {
      poll = this.newPoll(stream, poll.endsAt, poll.serial + 1);
      this.polls[stream] = poll;
    }
    return poll;
  }

  private newPoll(stream: number, startsAt: number, serial: number): Poll {
    const random = this.content;
    const template = random.pick(POLL_CATALOG);
    // Each stream's audience leans its own way: log-normal option weights.
    const weights = template.options.map(() => Math.exp(random.normal()));
    const cumulative = cumulativeOf(weights);
    return {
      id: `${this.streams[stream]}-poll-${serial}`,
      question: template.question,
      options: template.options,
      cumulative,
      total: cumulative[weights.length - 1] as number,
      endsAt: startsAt + random.between(POLL_MIN_MS, POLL_MAX_MS),
      serial,
    };
  }

  private startSlice(start: number): void {
    const end = start + SLICE_MS;
    this.sliceEnd = end;
    if (start > 0) this.stepDrift();
    while (this.scheduledNext < this.scheduled.length && (this.scheduled[this.scheduledNext] as Surge).start < end) {
      this.active.push(this.scheduled[this.scheduledNext++] as Surge);
    }
    while (this.nextRandomSurge < end) {
      const { factor, decay, every } = this.randomSurges;
      const at = this.nextRandomSurge;
      this.active.push({
        start: at,
        stream: this.dynamics.int(this.streams.length),
        extra: factor - 1,
        decay,
        end: surgeEnd(at, factor - 1, decay),
      });
      this.nextRandomSurge = at + this.dynamics.exponential(1 / every);
    }

    const count = this.streams.length;
    const boost = this.surgeBoost;
    boost.fill(0);
    let allBoost = 0;
    for (let i = this.active.length - 1; i >= 0; i--) {
      const surge = this.active[i] as Surge;
      if (surge.end <= start) {
        this.active.splice(i, 1);
        continue;
      }
      // The surge's mean extra over the slice (the integral of its decay), so the expected
      // number of events in any slice matches the continuous surge exactly.
      const from = Math.max(start, surge.start);
      const mean =
        (surge.extra *
          surge.decay *
          (Math.exp(-(from - surge.start) / surge.decay) - Math.exp(-(end - surge.start) / surge.decay))) /
        SLICE_MS;
      if (surge.stream < 0) allBoost += mean;
      else boost[surge.stream] = (boost[surge.stream] as number) + mean;
    }

    const correction = (DRIFT_SPREAD * DRIFT_SPREAD) / 2;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const rate =
        (this.baseRate[i] as number) *
        Math.exp((this.drift[i] as number) - correction) *
        (1 + allBoost + (boost[i] as number));
      this.rate[i] = rate;
      total += rate;
      this.cumulativeRate[i] = total;
    }
    this.totalRate = total;
  }

  private stepDrift(): void {
    // Exact Ornstein–Uhlenbeck step over one slice.
    const keep = Math.exp(-DRIFT_REVERSION_PER_MS * SLICE_MS);
    const noise = DRIFT_SPREAD * Math.sqrt(1 - keep * keep);
    for (let i = 0; i < this.drift.length; i++)
      this.drift[i] = (this.drift[i] as number) * keep + noise * this.dynamics.normal();
  }

  private streamIndex(name: string | undefined, surge: number): number {
    if (name === undefined) return -1;
    const index = this.streams.indexOf(name);
    if (index < 0) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `generator.surges[${surge}].stream is "${name}", but the generator only has ${this.streams[0]}…${this.streams.at(-1)}; name one of those or omit stream to surge all streams`,
      );
    }
    return index;
  }
}

function cumulativeOf(weights: readonly number[]): Float64Array {
  const cumulative = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] as number;
    cumulative[i] = sum;
  }
  return cumulative;
}

function surgeEnd(at: number, extra: number, decay: number): number {
  return at + decay * Math.log(Math.max(1, extra / SURGE_FLOOR));
}

/** The stream names a generator with `count` streams simulates, in order. */
export function generatorStreamNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `stream-${i + 1}`);
}
