import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WakeSignal } from '../../../src/kernel/wake-signal.js';

// A wait "that never ends on its own" is an hour: if a notification failed to end it, the test
// would time out rather than pass.
const HOUR = 3_600_000;

describe('WakeSignal', () => {
  it('ends a wait when notified', async () => {
    const signal = new WakeSignal();
    const waited = signal.wait(HOUR);
    signal.notify();
    await waited;
  });

  it('ends the next wait at once for a notification that came while nobody waited', async () => {
    const waiter = new WakeSignal();
    const notifier = new WakeSignal(waiter.buffer);
    notifier.notify();
    notifier.notify();
    await waiter.wait(HOUR);
    // Both notifications were consumed by that one wait: the next one runs to its timeout.
    let ended = false;
    await Promise.race([waiter.wait(HOUR).then(() => (ended = true)), new Promise((r) => setTimeout(r, 20))]);
    expect(ended).toBe(false);
    waiter.notify();
  });

  it('ends after the timeout without a notification', async () => {
    await new WakeSignal().wait(5);
  });

  it('ends a wait at interrupt, and keeps a notification that comes after it for the next wait', async () => {
    const signal = new WakeSignal();
    const waited = signal.wait(HOUR);
    signal.interrupt();
    await waited;
    // Notified while the caller is busy after the interrupt: the next wait ends at once.
    signal.notify();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await signal.wait(HOUR);
  });

  it('is woken from another thread', async () => {
    const signal = new WakeSignal();
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const counter = new Int32Array(workerData);
       Atomics.add(counter, 0, 1);
       Atomics.notify(counter, 0);`,
      { eval: true, workerData: signal.buffer },
    );
    await signal.wait(HOUR);
    await new Promise((resolve) => worker.once('exit', resolve));
  });
});
