import { publicUrlOf } from '../config/public-url.js';
import { WakeSignal } from '../kernel/wake-signal.js';
import { meteredProcessingStore } from '../metrics/metered-ports.js';
import { DailySalts } from '../privacy/daily-salts.js';
import { RetentionEnforcer } from '../privacy/retention-enforcer.js';
import { ClickProcessor } from '../processing/click-processor.js';
import { ProcessingHousekeeping } from '../processing/housekeeping.js';
import type { ProcessingStore } from '../processing/processing-store.js';
import { ReferenceData } from '../processing/reference-data.js';
import { idlePollOf } from './pipeline-wakeups.js';
import type { RoleContext, RunningRole } from './role-context.js';

/** What the processor needs of a role context (it runs without the edge's geo data or the default workspace). */
export type ProcessorContext = Pick<
  RoleContext,
  'config' | 'backend' | 'clock' | 'logger' | 'metrics' | 'wakeups'
>;

/** Name of the processor group's cursor. One embedded processor; scale-out groups share a durable consumer. */
export const PROCESSOR_CONSUMER = 'processor';

/**
 * Transactions per fetch of the processor role: each is written (on the SQLite commit thread, or
 * by PostgreSQL) while the next is classified. See docs/adr/2026-11-28-processor-commit-thread.md.
 */
export const PROCESSOR_PIPELINE_DEPTH = 4;

/** The processor role: consumes the click log into clicks, rollups and events. */
export async function startProcessor(context: ProcessorContext): Promise<RunningRole> {
  const { backend, clock, logger, config } = context;
  const publicUrl = new URL(publicUrlOf(config));
  const { wakeups } = context;
  const metered = meteredProcessingStore(backend.processing, context.metrics);
  const processor = new ClickProcessor(
    {
      clickLog: backend.clickLog,
      store: wakeups ? notifyingProcessingStore(metered, new WakeSignal(wakeups.eventsStored)) : metered,
      reference: new ReferenceData(backend, clock, publicUrl.hostname),
      salts: new DailySalts(backend.ipSalts, clock),
      clock,
      logger,
      ...(wakeups ? { wakeup: new WakeSignal(wakeups.clicksCaptured) } : {}),
    },
    {
      consumer: PROCESSOR_CONSUMER,
      batchSize: config.processorBatchSize,
      idlePollMs: idlePollOf(config.processorIdlePollMs, wakeups),
      burstWindowMs: 20_000,
      defaultDomainIsHttps: publicUrl.protocol === 'https:',
      pipelineDepth: PROCESSOR_PIPELINE_DEPTH,
    },
  );
  const housekeeping = new ProcessingHousekeeping({
    store: backend.processing,
    salts: backend.ipSalts,
    clock,
    logger,
  });
  const retention = new RetentionEnforcer({
    settings: backend.workspacePrivacy,
    store: backend.retention,
    clickLog: backend.clickLogPruning,
    processedThrough: () => backend.processing.readCursor(PROCESSOR_CONSUMER),
    clock,
    logger,
  });
  processor.start();
  housekeeping.start();
  retention.start();
  logger.info({ role: 'processor' }, 'processor consuming the click log');
  return {
    name: 'processor',
    stop: async () => {
      housekeeping.stop();
      await retention.stop();
      await processor.stop();
    },
  };
}

/** `store`, notifying `eventsStored` after each commit that stored events (the dispatcher waits on it). */
function notifyingProcessingStore(store: ProcessingStore, eventsStored: WakeSignal): ProcessingStore {
  return {
    readCursor: (consumer) => store.readCursor(consumer),
    knownClickIds: (clickIds) => store.knownClickIds(clickIds),
    visitorWindows: (keys) => store.visitorWindows(keys),
    commit: async (batch) => {
      await store.commit(batch);
      if (batch.events.length > 0) eventsStored.notify();
    },
    getClick: (workspaceId, clickId) => store.getClick(workspaceId, clickId),
    rollupCells: (workspaceId) => store.rollupCells(workspaceId),
    deleteVisitorWindowsBefore: (before) => store.deleteVisitorWindowsBefore(before),
  };
}
