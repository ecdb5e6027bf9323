// The straightforward implementation the e2e scenarios compare against: one inference per event
// on the main thread (ModelRunner → onnxruntime directly), one WebSocket send per result, no
// router, no batching, no worker threads.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { loadModelManifest, ModelRunner } from '../../src/inference/index.js';

export class MainThreadBaseline {
  private seq = 0;

  private constructor(
    private readonly runner: ModelRunner,
    private readonly server: Server,
    private readonly sockets: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(manifestPath: string): Promise<MainThreadBaseline> {
    const runner = await ModelRunner.open(await loadModelManifest(manifestPath));
    const server = createServer();
    const sockets = new WebSocketServer({ server, path: '/ws' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new MainThreadBaseline(runner, server, sockets, `http://127.0.0.1:${port}`);
  }

  /** Scores one event's text and sends the result to every client. */
  handle(id: string, text: string): Promise<void> {
    return this.runner.run([text]).then(({ results }) => {
      const result = results[0];
      const frame = JSON.stringify({
        kind: 'message',
        stream: 'stream-1',
        seq: ++this.seq,
        channel: 'comments',
        ts: Date.now(),
        data: { causeid: id, text, label: result?.label, score: result?.score },
      });
      for (const client of this.sockets.clients) client.send(frame);
    });
  }

  async close(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.runner.close();
  }
}
