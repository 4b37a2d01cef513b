import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import { utcDay } from '../privacy/daily-salts.js';
import type { IpSaltStore } from '../privacy/ip-salt-store.js';
import type { ProcessingStore } from './processing-store.js';

const HOUR_MS = 3_600_000;
/** Salts and uniqueness windows live 48 hours: long enough for a 24 h window and late clicks, no longer. */
export const VISITOR_STATE_RETENTION_MS = 48 * HOUR_MS;

/**
 * Forgets what could link visitors once it is no longer needed: day salts and uniqueness windows
 * older than 48 hours. Runs once at start and then hourly.
 */
export class ProcessingHousekeeping {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: { store: ProcessingStore; salts: IpSaltStore; clock: Clock; logger: Logger },
  ) {}

  async runOnce(): Promise<void> {
    const cutoff = this.deps.clock.now() - VISITOR_STATE_RETENTION_MS;
    const windows = await this.deps.store.deleteVisitorWindowsBefore(cutoff);
    // A day's salt goes once the whole day lies more than 48 h back.
    const salts = await this.deps.salts.deleteBefore(utcDay(cutoff));
    if (windows + salts > 0) this.deps.logger.info({ windows, salts }, 'forgot expired visitor state');
  }

  start(): void {
    const run = () =>
      this.runOnce().catch((error: unknown) => this.deps.logger.error({ err: error }, 'housekeeping failed'));
    void run();
    this.timer = setInterval(run, HOUR_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
