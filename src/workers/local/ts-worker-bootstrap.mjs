// Dev/test only: Node 20 worker threads cannot load .ts, so when the pool runs from source (vitest,
// tsx) each worker starts here, registers tsx, then imports the real TypeScript entry.
// Compiled builds (dist/) start inference-worker.js directly and never load this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
