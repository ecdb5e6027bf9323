// Serves a prom-client registry in the Prometheus text format at /metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { messageOf } from '../errors.js';

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createMetricsHandler(registry: Registry): MetricsHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('use GET /metrics\n');
      return;
    }
    let body: string;
    try {
      body = await registry.metrics();
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`collecting metrics failed: ${messageOf(error)}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
