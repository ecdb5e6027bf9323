// A worker thread of the inference pool: owns one ONNX session and answers one batch at a time,
// featurizing in this thread so the main event loop only moves strings and results.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { isLivepipeError, messageOf } from '../../errors.js';
import { loadModelManifest } from '../../inference/model-registry.js';
import { ModelRunner } from '../../inference/model-runner.js';
import type { InferenceWorkerData, PoolToWorker, WorkerToPool } from './worker-protocol.js';

async function serve(port: MessagePort): Promise<void> {
  const send = (message: WorkerToPool): void => port.postMessage(message);
  const { manifestPath } = workerData as InferenceWorkerData;
  let runner: ModelRunner;
  try {
    runner = await ModelRunner.open(await loadModelManifest(manifestPath));
  } catch (error) {
    // No listener is installed, so the thread ends on its own once this message is delivered.
    send({
      type: 'start-failed',
      code: isLivepipeError(error) ? error.code : undefined,
      message: messageOf(error),
    });
    return;
  }

  port.on('message', (message: PoolToWorker) => {
    if (message.type === 'close') {
      void runner.close().finally(() => {
        send({ type: 'closed' });
        port.close();
      });
      return;
    }
    runner.run(message.texts).then(
      ({ results, inferMs, tokenCounts, sequenceLength }) =>
        send({
          type: 'batch-done',
          batchId: message.batchId,
          results,
          inferMs,
          tokens:
            tokenCounts === undefined || sequenceLength === undefined ? undefined : { tokenCounts, sequenceLength },
        }),
      (error: unknown) => send({ type: 'batch-failed', batchId: message.batchId, message: messageOf(error) }),
    );
  });
  send({ type: 'ready' });
}

if (parentPort === null) throw new Error('inference-worker runs only as a worker thread of InferencePool');
await serve(parentPort);
