// Child process of the overlay fan-out scenario: holds many WebSocket clients so the server
// process is measured alone. Reports, per published mark, when its last client received it.
// Driven over IPC: connect {url, count} → connected; every mark received by all → received; close.
import WebSocket from 'ws';
import { preciseNow } from '../harness/open-loop.js';

type Command = { op: 'connect'; url: string; count: number } | { op: 'close' } | { op: 'exit' };

let sockets: WebSocket[] = [];
const marks = new Map<number, { count: number; first: number; last: number }>();

function onFrame(raw: WebSocket.RawData): void {
  const at = preciseNow();
  const frame = JSON.parse(raw.toString()) as { kind?: string; data?: { mark?: number } };
  const mark = frame.kind === 'message' ? frame.data?.mark : undefined;
  if (mark === undefined) return;
  let entry = marks.get(mark);
  if (!entry) marks.set(mark, (entry = { count: 0, first: at, last: at }));
  entry.count++;
  entry.last = at;
  if (entry.count === sockets.length) {
    process.send?.({ op: 'received', mark, first: entry.first, last: entry.last, clients: entry.count });
    marks.delete(mark);
  }
}

async function connect(url: string, count: number): Promise<void> {
  let failed = 0;
  // Connect in waves so the server's accept queue is not overrun.
  for (let start = 0; start < count; start += 200) {
    const wave = Array.from({ length: Math.min(200, count - start) }, () => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      return new Promise<WebSocket | undefined>((resolve) => {
        socket.once('open', () => resolve(socket));
        socket.once('error', () => {
          failed++;
          resolve(undefined);
        });
      });
    });
    for (const socket of await Promise.all(wave)) {
      if (socket) {
        socket.on('message', onFrame);
        sockets.push(socket);
      }
    }
  }
  process.send?.({ op: 'connected', clients: sockets.length, failed });
}

process.on('message', (command: Command) => {
  if (command.op === 'connect') void connect(command.url, command.count);
  else if (command.op === 'close') {
    for (const socket of sockets) socket.terminate();
    sockets = [];
    marks.clear();
    process.send?.({ op: 'closed' });
  } else process.exit(0);
});
process.send?.({ op: 'ready' });
