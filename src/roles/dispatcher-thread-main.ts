import { parentPort, workerData } from 'node:worker_threads';
import { openBackend } from '../adapters/open-backend.js';
import type { Config } from '../config/config.js';
import { systemClock } from '../kernel/clock.js';
import { createLogger } from '../kernel/logger.js';
import { Metrics } from '../metrics/metrics.js';
import { answerMetricRequests } from '../metrics/thread-metrics.js';
import { startDispatcher } from './dispatcher.js';
import type { PipelineWakeups } from './pipeline-wakeups.js';
import type { RoleThreadMessage } from './role-thread.js';

/** Entry point of the dispatcher thread started by `startRoleThread('dispatcher', …)`. */
const { config, wakeups } = workerData as { config: Config; wakeups?: PipelineWakeups };
const port = parentPort!;
const logger = createLogger(config.logLevel).child({ thread: 'dispatcher' });
const backend = await openBackend(config, { storeCheckpoints: 'background' });
const metrics = new Metrics();
answerMetricRequests(port, metrics);
const role = await startDispatcher({
  config,
  backend,
  clock: systemClock,
  logger,
  metrics,
  ...(wakeups ? { wakeups } : {}),
});

port.on('message', async (message: RoleThreadMessage) => {
  if (message.type !== 'stop') return;
  await role.stop();
  await backend.close();
  port.close();
});
port.postMessage({ type: 'ready' } satisfies RoleThreadMessage);
