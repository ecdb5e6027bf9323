// Overlay fan-out between pipeline instances through Redis pub/sub. A publish runs one Lua script
// that INCRs the stream's seq key and PUBLISHes the numbered message on the namespace's channel,
// atomically: Redis then hands every subscriber the messages of a stream in seq order, so all
// instances number every message alike and a client may resume (`since`) on any instance.
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { LivepipeError } from '../errors.js';
import { connectRedis } from '../workers/distributed/redis-connection.js';
import type { FanoutMessage, OverlayFanout } from './overlay-fanout.js';
import { REDIS_URL, REDIS_URL_RULE } from '../brokers/redis/redis-url.js';

export interface RedisOverlayFanoutOptions {
  /** redis://host:port[/db] */
  url: string;
  /** Channel and key prefix: instances that share it share their overlays. Default `livepipe:overlay`. */
  namespace?: string;
  logger?: Logger;
}

export interface RedisFanoutStats {
  /** Messages this instance sent to Redis. */
  published: number;
  /** Messages that could not be sent (Redis error); logged, and not shown anywhere. */
  failed: number;
  /** Messages received from Redis (this instance's own included). */
  received: number;
  /** Received messages that could not be decoded (another producer on the channel); logged. */
  malformed: number;
}

export const DEFAULT_OVERLAY_NAMESPACE = 'livepipe:overlay';

// KEYS[1]: the stream's seq counter; ARGV[1]: channel; ARGV[2]: the message without its seq.
const PUBLISH_SCRIPT = `local seq = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], seq .. '|' .. ARGV[2])
return seq`;

interface WithPublishScript {
  livepipeOverlayPublish(seqKey: string, channel: string, payload: string): Promise<number>;
}

export class RedisOverlayFanout implements OverlayFanout {
  readonly namespace: string;
  private readonly url: string;
  private readonly logger: Logger;
  private commands: (Redis & WithPublishScript) | undefined;
  private subscriber: Redis | undefined;
  private readonly seqKeyPrefix: string;
  private published = 0;
  private failed = 0;
  private received = 0;
  private malformed = 0;

  constructor(options: RedisOverlayFanoutOptions) {
    if (!REDIS_URL.test(options.url)) {
      throw new LivepipeError('LP_CONFIG_INVALID', `overlay.redis "${options.url}" is not ${REDIS_URL_RULE}`);
    }
    const namespace = options.namespace ?? DEFAULT_OVERLAY_NAMESPACE;
    if (namespace.length === 0)
      throw new LivepipeError('LP_CONFIG_INVALID', 'the overlay fan-out namespace must not be empty');
    this.url = options.url;
    this.namespace = namespace;
    this.seqKeyPrefix = `${namespace}:seq:`;
    this.logger = options.logger ?? pino({ name: 'livepipe-overlay-fanout', level: 'warn' });
  }

  async start(deliver: (message: FanoutMessage) => void): Promise<void> {
    if (this.commands !== undefined)
      throw new LivepipeError('LP_PIPELINE_STATE', 'RedisOverlayFanout.start() called twice; create a new one');
    const commands = await connectRedis(this.url, 'the overlay fan-out (overlay.redis)', this.logger);
    commands.defineCommand('livepipeOverlayPublish', { numberOfKeys: 1, lua: PUBLISH_SCRIPT });
    this.commands = commands as Redis & WithPublishScript;
    const subscriber = commands.duplicate();
    subscriber.on('error', (error) =>
      this.logger.warn({ err: error }, 'overlay fan-out subscriber: Redis connection error; reconnecting'),
    );
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, text: string) => {
      this.received++;
      const message = this.decode(text);
      if (message !== undefined) deliver(message);
    });
    // Subscribed before start() resolves: nothing published after that is missed.
    await subscriber.subscribe(this.namespace);
  }

  publish(stream: string, channel: string, data: unknown, ts: number): void {
    const commands = this.commands;
    if (commands === undefined) {
      this.failed++;
      this.logger.error({ stream, channel }, 'overlay message published before the fan-out started; dropped');
      return;
    }
    this.published++;
    const payload = JSON.stringify([stream, channel, ts, data === undefined ? null : data]);
    commands.livepipeOverlayPublish(this.seqKeyPrefix + stream, this.namespace, payload).catch((error: unknown) => {
      this.failed++;
      this.logger.error({ err: error, stream, channel }, 'overlay message could not be sent through Redis; dropped');
    });
  }

  stats(): RedisFanoutStats {
    return { published: this.published, failed: this.failed, received: this.received, malformed: this.malformed };
  }

  async close(): Promise<void> {
    const { commands, subscriber } = this;
    this.commands = undefined;
    this.subscriber = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
    await commands?.quit().catch(() => commands.disconnect());
  }

  private decode(text: string): FanoutMessage | undefined {
    const bar = text.indexOf('|');
    const seq = Number(text.slice(0, bar));
    let fields: unknown;
    try {
      fields = JSON.parse(text.slice(bar + 1));
    } catch {
      fields = undefined;
    }
    if (bar > 0 && Number.isSafeInteger(seq) && seq > 0 && Array.isArray(fields) && fields.length === 4) {
      const [stream, channel, ts, data] = fields as [unknown, unknown, unknown, unknown];
      if (typeof stream === 'string' && typeof channel === 'string' && typeof ts === 'number')
        return { stream, seq, channel, ts, data };
    }
    this.malformed++;
    this.logger.warn(
      { message: text.slice(0, 120) },
      `ignored a message on ${this.namespace} that is not a livepipe overlay message`,
    );
    return undefined;
  }
}
