// The body of an HTTP request carrying CloudEvents, read under a size limit, and what to do with
// an unread body when the request is refused: drain a small one so the connection is reused,
// close the connection under a large or unbounded one rather than read it.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body, or undefined once it passes maxBytes (reading stops there). */
export function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off('data', onData);
        request.off('end', onEnd);
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', reject);
  });
}

/** Before answering a request early: drains a body that declares at most maxBytes, else closes the connection after the answer. */
export function discardUnreadBody(request: IncomingMessage, response: ServerResponse, maxBytes: number): void {
  if (request.complete) return;
  if (Number(request.headers['content-length']) <= maxBytes && request.listenerCount('data') === 0) request.resume();
  else {
    response.setHeader('connection', 'close');
    response.once('finish', () => request.destroy());
  }
}
