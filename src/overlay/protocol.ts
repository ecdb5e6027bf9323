// The wire protocol between the overlay hub and overlay pages, and the encoders that build each
// frame's JSON once so it can be sent to every client of a room unchanged.
//
// Protocol (JSON text frames, server → client only; anything a client sends is ignored):
//
//   connect    GET /ws?stream=<id>[&since=<seq>]   (WebSocket upgrade; <id> URL-encoded)
//
//   snapshot   {"kind":"snapshot","stream":<id>,"seq":<n>,"messages":[<message>...],
//               "latest":{<channel>:<message>,...}}
//              Sent first on a plain connect, on a `since` that can no longer be served from the
//              room's ring buffer (too old, or ahead of the room: the server restarted), and to a
//              slow client once its send buffer has drained (its dropped messages are replaced by
//              the snapshot, so it never shows a gap silently). `seq` is the room's last seq
//              (0 for a room without messages); `messages` are the last `snapshotSize` messages in
//              seq order; `latest` holds the newest message of every channel ever published in
//              the room, so a new page shows the hype meter and the poll at once.
//
//   message    {"kind":"message","stream":<id>,"seq":<n>,"channel":<name>,"ts":<epoch ms>,"data":<any>}
//              One per publish. `seq` is per room, starts at 1 and is contiguous. After a snapshot
//              with seq S, the next message has seq S + 1. On a resume (`since=S` still in the
//              ring buffer) the missed messages S+1..current come first as plain messages, then
//              the live ones; no snapshot is sent. A client that sees seq > last + 1 has missed
//              something and reconnects with since=<last>; seq <= last is a duplicate to skip.
//              With a Redis fan-out (overlay.redis) Redis numbers each stream's messages for all
//              instances alike, so `since` may be sent to any instance; one that missed messages
//              (it joined late, or its subscription dropped) answers a resume across them with a snapshot.

export const WEBSOCKET_PATH = '/ws';

export interface OverlayMessage {
  kind: 'message';
  stream: string;
  seq: number;
  channel: string;
  ts: number;
  data: unknown;
}

export interface OverlaySnapshot {
  kind: 'snapshot';
  stream: string;
  seq: number;
  messages: OverlayMessage[];
  latest: Record<string, OverlayMessage>;
}

export type OverlayFrame = OverlayMessage | OverlaySnapshot;

/**
 * The constant head of every message of one room: `{"kind":"message","stream":"<id>","seq":`.
 * Computed once per room so a publish only stringifies the channel name and the data.
 */
export function messagePrefix(stream: string): string {
  return `{"kind":"message","stream":${JSON.stringify(stream)},"seq":`;
}

/** Same key order as OverlayMessage; `data` that JSON cannot represent becomes null. */
export function encodeMessage(prefix: string, seq: number, channelJson: string, ts: number, data: unknown): string {
  const dataJson = JSON.stringify(data) ?? 'null';
  return `${prefix}${seq},"channel":${channelJson},"ts":${ts},"data":${dataJson}}`;
}

/** Builds a snapshot from already-encoded messages: no message is stringified twice. */
export function encodeSnapshot(
  stream: string,
  seq: number,
  messages: readonly string[],
  latest: ReadonlyMap<string, string>,
): string {
  let latestJson = '';
  for (const [channelJson, message] of latest) {
    latestJson += latestJson === '' ? `${channelJson}:${message}` : `,${channelJson}:${message}`;
  }
  return `{"kind":"snapshot","stream":${JSON.stringify(stream)},"seq":${seq},"messages":[${messages.join(',')}],"latest":{${latestJson}}}`;
}
