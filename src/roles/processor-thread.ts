import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import type { Logger } from '../kernel/logger.js';
import type { RunningRole } from './role-context.js';

/**
 * Built code starts the thread from its compiled entry file. Running from TypeScript sources
 * (development, tests under tsx or vitest) the thread first registers tsx's loader itself: a
 * worker does not inherit the parent's module hooks, and Node 20 ignores `--import` in a worker's
 * `execArgv`.
 */
function createWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./processor-thread-main.js', import.meta.url), { workerData });
  }
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./processor-thread-main.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

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
export async function startProcessorThread(config: Config, logger: Logger): Promise<RunningRole> {
  const worker = createWorker({ config });
  let stopping = false;
  const exited = once(worker, 'exit');
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
    stop: async () => {
      stopping = true;
      worker.postMessage({ type: 'stop' } satisfies ProcessorThreadMessage);
      await exited;
    },
  };
}
