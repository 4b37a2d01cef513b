import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import type { AttemptRecord, DeliveryStore, StreakUpdate } from './delivery-store.js';

interface Pending {
  readonly record: AttemptRecord;
  readonly resolve: () => void;
}

/** Most records in one transaction. */
const MAX_BATCH = 1000;

/**
 * Writes attempt records with group commit: records gathered over a short window (`windowMs`
 * after the first, or until `MAX_BATCH` wait) go into one transaction, and the next transaction
 * starts when the previous one returns — so at thousands of deliveries a second the attempt log
 * costs a few hundred commits, not thousands. The window delays only the log: the subscriber has
 * its answer and the request slot is free before the record is written.
 *
 * What must stay true: `add` resolves only once the record is committed, and a failed commit is
 * retried with the same records (never dropped): until it lands, the delivery stays leased and
 * would be attempted again only after the lease runs out.
 */
export class AttemptRecorder {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      readonly store: DeliveryStore;
      readonly clock: Clock;
      readonly logger: Logger;
      /** Told about the failure streaks each commit lengthened; the records count as written once it is done. */
      readonly onStreaks: (updates: readonly StreakUpdate[]) => Promise<void>;
      /** How long the first record of a batch waits for company, ms. */
      readonly windowMs: number;
    },
  ) {}

  add(record: AttemptRecord): Promise<void> {
    return new Promise((resolve) => {
      this.pending.push({ record, resolve });
      this.schedule();
    });
  }

  /** Resolves when everything added so far is committed. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.pending.length >= MAX_BATCH) {
      this.clearTimer();
      void this.flush();
      return;
    }
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.deps.windowMs);
  }

  private clearTimer(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return this.flushing ?? Promise.resolve();
    this.clearTimer();
    const batch = this.pending.splice(0, MAX_BATCH);
    this.flushing = (async () => {
      let updates: StreakUpdate[] = [];
      for (let failures = 0; ; failures++) {
        try {
          updates = await this.deps.store.recordAttempts(
            batch.map((entry) => entry.record),
            this.deps.clock.now(),
          );
          break;
        } catch (error) {
          this.deps.logger.error(
            { err: error, records: batch.length },
            'recording webhook attempts failed; retrying',
          );
          await sleep(Math.min(5_000, 100 * 2 ** failures));
        }
      }
      if (updates.length > 0) await this.deps.onStreaks(updates);
      for (const entry of batch) entry.resolve();
    })().finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.schedule();
    });
    return this.flushing;
  }
}
