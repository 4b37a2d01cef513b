import { parentPort, workerData } from 'node:worker_threads';
import { createBundledGeoLookup } from '../adapters/geo/bundled-geo-lookup.js';
import { openBackend } from '../adapters/open-backend.js';
import type { Config } from '../config/config.js';
import { systemClock } from '../kernel/clock.js';
import { WakeSignal } from '../kernel/wake-signal.js';
import { DailySalts } from '../privacy/daily-salts.js';
import type { CaptureFailure, CaptureThreadMessage } from './capture-thread.js';
import { InlineClickCapture } from './click-capture.js';

/** Entry point of the capture thread started by `ThreadedClickCapture.start`. */
const { config, clicksCaptured } = workerData as { config: Config; clicksCaptured?: SharedArrayBuffer };
// Wakes the processor of this process after each commit (it polls too; see WakeSignal).
const captured = clicksCaptured ? new WakeSignal(clicksCaptured) : null;
const port = parentPort!;
const backend = await openBackend(config);
const capture = new InlineClickCapture({
  clickLog: backend.clickLog,
  salts: new DailySalts(backend.ipSalts, systemClock),
  geo: createBundledGeoLookup(),
  ...(captured ? { onCommitted: () => captured.notify() } : {}),
});

const batches = new Set<Promise<void>>();

async function captureBatch(message: Extract<CaptureThreadMessage, { type: 'capture' }>): Promise<void> {
  // The whole batch is one commit, made as soon as the batch arrives.
  const outcomes = await capture.captureMany(message.requests);
  const failed: CaptureFailure[] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome === 'captured') return;
    const uncapturable = outcome === 'uncapturable';
    failed.push({
      index,
      uncapturable,
      message: uncapturable ? 'no usable client address' : outcome.message,
    });
  });
  port.postMessage({ type: 'captured', batch: message.batch, failed } satisfies CaptureThreadMessage);
}

port.on('message', async (message: CaptureThreadMessage) => {
  if (message.type === 'capture') {
    const batch = captureBatch(message).finally(() => batches.delete(batch));
    batches.add(batch);
  } else if (message.type === 'stop') {
    // Answer every batch already handed over before closing the log.
    await Promise.all(batches);
    await backend.close();
    port.close();
  }
});
port.postMessage({ type: 'ready' } satisfies CaptureThreadMessage);
