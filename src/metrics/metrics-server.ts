// A metrics-only HTTP server, for `metrics.port`: Prometheus scrapes it without reaching the
// overlay's port (which serves viewers' browsers).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LivepipeError } from '../errors.js';
import type { MetricsHandler } from './metrics-handler.js';

export class MetricsServer {
  private readonly server: Server;
  private readonly host: string;
  private readonly port: number;

  constructor(host: string, port: number, handler: MetricsHandler) {
    this.host = host;
    this.port = port;
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        void handler(request, response);
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('livepipe metrics: GET /metrics\n');
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new LivepipeError(
                'LP_CONFIG_INVALID',
                `metrics.port ${this.port} on ${this.host} is in use; pick another port or leave metrics.port unset to serve /metrics on the overlay port`,
              )
            : error,
        );
      };
      this.server.once('error', onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  get url(): string {
    const address = this.server.address() as AddressInfo | null;
    if (address === null)
      throw new LivepipeError('LP_PIPELINE_STATE', 'the metrics server is not listening; await start() first');
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${address.port}/metrics`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
