// rocketmq-client-nodejs logs through whatever logger it is given, and without one writes files
// under ~/logs/rocketmq. livepipe hands it pino, quiet (errors only) unless asked otherwise: the
// source and `livepipe produce --rocketmq` report the failures that matter themselves.
import { pino, type Logger } from 'pino';

/** The logger shape rocketmq-client-nodejs calls (printf-style arguments). */
export interface RocketmqClientLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

/** The livepipe logger for RocketMQ parts; level from LIVEPIPE_ROCKETMQ_LOG (default warn). */
export function rocketmqLogger(name: string): Logger {
  return pino({ name, level: process.env.LIVEPIPE_ROCKETMQ_LOG ?? 'warn' });
}

/**
 * Adapts pino to the client's logger; the client's own chatter stays at error level and above.
 * `quiet()` true (the owner is shutting down): long polls cut short by the shutdown fail with
 * DEADLINE_EXCEEDED, which is expected then, so errors drop to debug.
 */
export function rocketmqClientLogger(logger: Logger, quiet: () => boolean = () => false): RocketmqClientLogger {
  const client = logger.child(
    { component: 'rocketmq-client' },
    { level: process.env.LIVEPIPE_ROCKETMQ_CLIENT_LOG ?? 'error' },
  );
  const forward =
    (wanted: 'info' | 'warn' | 'error' | 'debug') =>
    (...args: unknown[]) => {
      const level = wanted === 'error' && quiet() ? 'debug' : wanted;
      if (!client.isLevelEnabled(level)) return;
      const [message, ...rest] = args;
      (client[level] as (this: Logger, message: string, ...values: unknown[]) => void).call(
        client,
        String(message),
        ...rest,
      );
    };
  return { info: forward('info'), warn: forward('warn'), error: forward('error'), debug: forward('debug') };
}
