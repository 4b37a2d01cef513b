import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ClickLogPruning } from '../click-log/click-log-pruning.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import { daysToMs, type WorkspacePrivacy } from './privacy-settings.js';
import type { RetentionStore } from './retention-store.js';
import type { WorkspacePrivacyStore } from './workspace-privacy-store.js';

const HOUR_MS = 3_600_000;
/** Rows per statement: each delete is a short transaction, so redirects and ingestion never wait long. */
export const RETENTION_BATCH = 500;

export interface RetentionDeps {
  readonly settings: Pick<WorkspacePrivacyStore, 'list'>;
  readonly store: RetentionStore;
  /** `null` where the click log expires raw clicks by itself (a stream's max age). */
  readonly clickLog: ClickLogPruning | null;
  /** How far the processor has consumed the click log: user agents up to it may go (`until_processed`). */
  readonly processedThrough: () => Promise<number>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What one pass deleted, summed over workspaces. */
export interface RetentionReport {
  clicks: number;
  rawClicks: number;
  userAgents: number;
  events: number;
  deliveryBodies: number;
  rollups: number;
}

/**
 * Enforces each workspace's retention: raw clicks (click log and stored clicks), events and
 * stored delivery bodies, rollups when the workspace limits them — and drops raw user agents
 * once processed where the workspace asks for that. Runs in the processor role, hourly.
 *
 * Every delete is a bounded batch in its own short transaction, with a turn of the event loop
 * between batches, so a large backlog (a lowered retention) drains without holding the store's
 * or the click log's write lock for more than one batch at a time.
 */
export class RetentionEnforcer {
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<RetentionReport> | null = null;
  private stopping = false;

  constructor(private readonly deps: RetentionDeps) {}

  /** One full pass over every workspace; a pass already under way is joined rather than doubled. */
  runOnce(): Promise<RetentionReport> {
    this.pass ??= this.enforceAll().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  start(intervalMs = HOUR_MS): void {
    const run = () =>
      this.runOnce().catch((error: unknown) =>
        this.deps.logger.error({ err: error }, 'retention pass failed; trying again next time'),
      );
    void run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and lets the batch in progress finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass?.catch(() => undefined);
  }

  private async enforceAll(): Promise<RetentionReport> {
    const report: RetentionReport = {
      clicks: 0,
      rawClicks: 0,
      userAgents: 0,
      events: 0,
      deliveryBodies: 0,
      rollups: 0,
    };
    const processed = this.deps.clickLog ? await this.deps.processedThrough() : 0;
    for (const { workspaceId, settings } of await this.deps.settings.list()) {
      if (this.stopping) break;
      await this.enforce(workspaceId, settings, processed, report);
    }
    const total = Object.values(report).reduce((sum, n) => sum + n, 0);
    if (total > 0) this.deps.logger.info({ ...report }, 'retention: deleted expired data');
    return report;
  }

  private async enforce(
    workspaceId: string,
    { retention, privacy }: WorkspacePrivacy,
    processed: number,
    report: RetentionReport,
  ): Promise<void> {
    const now = this.deps.clock.now();
    const { store, clickLog } = this.deps;
    const rawBefore = now - daysToMs(retention.rawClickDays);
    const eventsBefore = now - daysToMs(retention.eventDays);
    report.clicks += await this.drain((n) => store.deleteClicksBefore(workspaceId, rawBefore, n));
    if (clickLog) {
      report.rawClicks += await this.drain((n) => clickLog.deleteBefore(workspaceId, rawBefore, n));
      if (privacy.userAgent === 'until_processed')
        report.userAgents += await this.drain((n) => clickLog.dropUserAgents(workspaceId, processed, n));
    }
    report.events += await this.drain((n) => store.deleteEventsBefore(workspaceId, eventsBefore, n));
    report.deliveryBodies += await this.drain((n) =>
      store.purgeDeliveryBodiesBefore(workspaceId, eventsBefore, n),
    );
    if (retention.rollupDays !== null) {
      const rollupsBefore = now - daysToMs(retention.rollupDays);
      report.rollups += await this.drain((n) => store.deleteRollupsBefore(workspaceId, rollupsBefore, n));
    }
  }

  /** Repeats a bounded step until it does less than a full batch, yielding between batches. */
  private async drain(step: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await step(RETENTION_BATCH);
      total += done;
      if (done < RETENTION_BATCH || this.stopping) return total;
      await yieldToLoop();
    }
  }
}
