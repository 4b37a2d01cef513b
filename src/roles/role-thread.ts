import { once } from 'node:events';
import type { Config } from '../config/config.js';
import type { Logger } from '../kernel/logger.js';
import { startModuleWorker } from '../kernel/module-worker.js';
import { threadMetrics } from '../metrics/thread-metrics.js';
import type { PipelineWakeups } from './pipeline-wakeups.js';
import type { RunningRole } from './role-context.js';

/** Messages between the main thread and a role's thread. */
export type RoleThreadMessage = { type: 'ready' } | { type: 'stop' };

/**
 * Runs a role on a worker thread of this process, from `entry` (a module next to this one, named
 * without extension), with its own store connections. If the thread dies, the process is asked
 * to drain and exit (SIGTERM to itself), so a supervisor restarts it whole rather than leaving a
 * process with a role silently missing.
 */
export async function startRoleThread(
  name: string,
  entry: string,
  config: Config,
  logger: Logger,
  wakeups?: PipelineWakeups,
): Promise<RunningRole> {
  const worker = startModuleWorker(import.meta.url, entry, { config, wakeups });
  let stopping = false;
  let alive = true;
  const exited = once(worker, 'exit');
  worker.once('exit', () => {
    alive = false;
  });
  worker.on('error', (error) => {
    logger.fatal(
      { err: error, role: name },
      `${name} thread failed; shutting down so the process is restarted whole`,
    );
    if (!stopping) process.kill(process.pid, 'SIGTERM');
  });
  const [ready] = (await Promise.race([
    once(worker, 'message'),
    exited.then(() => [{ type: 'exited' }]),
  ])) as [RoleThreadMessage | { type: 'exited' }];
  if (ready.type !== 'ready') throw new Error(`the ${name} thread exited during start-up`);
  return {
    name,
    running: () => alive,
    metrics: threadMetrics(worker),
    stop: async () => {
      stopping = true;
      worker.postMessage({ type: 'stop' } satisfies RoleThreadMessage);
      await exited;
    },
  };
}
