import { once } from 'node:events';
import type { Config } from '../config/config.js';
import type { Logger } from '../kernel/logger.js';
import { startModuleWorker } from '../kernel/module-worker.js';
import { threadMetrics } from '../metrics/thread-metrics.js';
import type { PipelineWakeups } from './pipeline-wakeups.js';
import type { RunningRole } from './role-context.js';

/** Messages between the main thread and the processor thread. */
export type ProcessorThreadMessage = { type: 'ready' } | { type: 'stop' } | { type: 'stopped' };

/**
 * Runs the processor role on a worker thread of this process, with its own store connections.
 * In the all-in-one process this keeps classification, enrichment and the processor's commits off
 * the event loop that answers redirects, and lets a second core do that work.
 *
 * If the thread dies, the whole process is asked to drain and exit (SIGTERM to itself), so a
 * supervisor restarts it whole rather than leaving an edge whose clicks are never processed.
 */
export async function startProcessorThread(
  config: Config,
  logger: Logger,
  wakeups?: PipelineWakeups,
): Promise<RunningRole> {
  const worker = startModuleWorker(import.meta.url, 'processor-thread-main', { config, wakeups });
  let stopping = false;
  let alive = true;
  const exited = once(worker, 'exit');
  worker.once('exit', () => {
    alive = false;
  });
  worker.on('error', (error) => {
    logger.fatal({ err: error }, 'processor thread failed; shutting down so the process is restarted whole');
    if (!stopping) process.kill(process.pid, 'SIGTERM');
  });
  const [ready] = (await Promise.race([
    once(worker, 'message'),
    exited.then(() => [{ type: 'exited' }]),
  ])) as [ProcessorThreadMessage | { type: 'exited' }];
  if (ready.type !== 'ready') throw new Error('the processor thread exited during start-up');
  return {
    name: 'processor',
    running: () => alive,
    metrics: threadMetrics(worker),
    stop: async () => {
      stopping = true;
      worker.postMessage({ type: 'stop' } satisfies ProcessorThreadMessage);
      await exited;
    },
  };
}
