// A WebSocket client at the TCP level, for overlay tests that need a client which stops reading
// (pause its socket): the kernel buffers fill, then the server's send buffer grows, exactly like an
// overlay on a stalled network. decodeFrames reads back what it received.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';
import type { OverlayFrame } from '../../src/overlay/protocol.js';

export interface RawWebSocketClient {
  socket: Socket;
  /** Every chunk read so far, the HTTP 101 response first. */
  received: Buffer[];
  closed: () => boolean;
}

/** Opens `/ws?stream=<stream>` on the overlay server at `baseUrl` (http://host:port). */
export function rawWebSocketClient(baseUrl: string, stream: string): RawWebSocketClient {
  const { port } = new URL(baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  socket.write(
    `GET /ws?stream=${stream} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  return { socket, received, closed: () => closed };
}

/** Decodes the server's unmasked text frames after the HTTP 101 response. */
export function decodeFrames(bytes: Buffer): OverlayFrame[] {
  const headerEnd = bytes.indexOf('\r\n\r\n');
  expect(bytes.subarray(0, 12).toString()).toBe('HTTP/1.1 101');
  const frames: OverlayFrame[] = [];
  let offset = headerEnd + 4;
  while (offset + 2 <= bytes.length) {
    const opcode = (bytes[offset] as number) & 0x0f;
    let length = (bytes[offset + 1] as number) & 0x7f;
    let start = offset + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(offset + 2);
      start = offset + 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(offset + 2));
      start = offset + 10;
    }
    if (start + length > bytes.length) break;
    if (opcode === 1) frames.push(JSON.parse(bytes.subarray(start, start + length).toString()) as OverlayFrame);
    offset = start + length;
  }
  return frames;
}
