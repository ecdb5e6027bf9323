// How overlay servers of several pipeline instances share their messages: each publish goes out
// through the fan-out, which numbers it per stream for all instances and hands every message —
// this instance's own included, exactly once — back to every instance in one global order.

/** A message as the fan-out delivers it, with the seq every instance gives it. */
export interface FanoutMessage {
  stream: string;
  seq: number;
  channel: string;
  /** Epoch ms at the publishing instance. */
  ts: number;
  data: unknown;
}

export interface OverlayFanout {
  /** Connects; from then on `deliver` is called for every message of every instance, in seq order per stream. */
  start(deliver: (message: FanoutMessage) => void): Promise<void>;
  /** Sends a message to all instances; never throws (a failure is counted and logged). */
  publish(stream: string, channel: string, data: unknown, ts: number): void;
  close(): Promise<void>;
}
