import type { MessagePort, Worker } from 'node:worker_threads';
import type { MetricFamily, Metrics } from './metrics.js';

/** Asks a role thread for its figures; the thread answers with the same `id`. */
export interface MetricsRequest {
  readonly type: 'metrics';
  readonly id: number;
}

interface MetricsReply {
  readonly type: 'metrics';
  readonly id: number;
  readonly families: MetricFamily[];
}

/** How long `/metrics` waits for a thread; a thread that does not answer is left out, not reported as zero. */
const REPLY_TIMEOUT_MS = 2000;

/** In a role thread: answers the main thread's metric requests with this thread's snapshot. */
export function answerMetricRequests(port: MessagePort, metrics: Metrics): void {
  port.on('message', (message: { type?: string; id?: number }) => {
    if (message.type !== 'metrics' || typeof message.id !== 'number') return;
    const id = message.id;
    void metrics.snapshot().then((families) => {
      port.postMessage({ type: 'metrics', id, families } satisfies MetricsReply);
    });
  });
}

let nextId = 1;

/** On the main thread: a function that fetches a role thread's current figures (none if it is gone). */
export function threadMetrics(worker: Worker): () => Promise<MetricFamily[]> {
  return () =>
    new Promise((resolve) => {
      const id = nextId++;
      const done = (families: MetricFamily[]) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(families);
      };
      const onMessage = (message: Partial<MetricsReply>) => {
        if (message.type === 'metrics' && message.id === id) done(message.families ?? []);
      };
      const onExit = () => done([]);
      const timer = setTimeout(() => done([]), REPLY_TIMEOUT_MS);
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      try {
        worker.postMessage({ type: 'metrics', id } satisfies MetricsRequest);
      } catch {
        done([]);
      }
    });
}
