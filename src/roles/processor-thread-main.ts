import { parentPort, workerData } from 'node:worker_threads';
import { openBackend } from '../adapters/open-backend.js';
import type { Config } from '../config/config.js';
import { systemClock } from '../kernel/clock.js';
import { createLogger } from '../kernel/logger.js';
import { Metrics } from '../metrics/metrics.js';
import { answerMetricRequests } from '../metrics/thread-metrics.js';
import type { PipelineWakeups } from './pipeline-wakeups.js';
import { startProcessor } from './processor.js';
import type { ProcessorThreadMessage } from './processor-thread.js';

/** Entry point of the processor thread started by `startProcessorThread`. */
const { config, wakeups } = workerData as { config: Config; wakeups?: PipelineWakeups };
const port = parentPort!;
const logger = createLogger(config.logLevel).child({ thread: 'processor' });
// Checkpoints off the commit path, as for the dispatcher: measured, inline ones cost the
// processor ~20 % of its clicks per second (bench:processor). Batches are written from a commit
// thread of their own, while this one classifies the next (docs/adr/2026-11-28-processor-commit-thread.md).
const backend = await openBackend(config, { storeCheckpoints: 'background', processorCommits: 'thread' });
const metrics = new Metrics();
answerMetricRequests(port, metrics);
const role = await startProcessor({
  config,
  backend,
  clock: systemClock,
  logger,
  metrics,
  ...(wakeups ? { wakeups } : {}),
});

port.on('message', async (message: ProcessorThreadMessage) => {
  if (message.type !== 'stop') return;
  await role.stop();
  await backend.close();
  port.close();
});
port.postMessage({ type: 'ready' } satisfies ProcessorThreadMessage);
