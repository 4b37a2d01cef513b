import type { Statement, Transaction } from 'better-sqlite3';
import type { ProcessedBatch } from '../../processing/processing-store.js';
import { clickToRow } from '../sql/sql-processing-store.js';
import type { SqliteDatabase } from './open-sqlite.js';

/**
 * Writes a processor batch on one SQLite connection with cached prepared statements: a query
 * builder would build and prepare a new multi-row statement for every batch, which costs more than
 * the writes themselves. Used on the processor's own connection, or on the commit thread's.
 */
export class SqliteBatchWriter {
  private readonly statements: {
    relabel: Statement;
    upsertWindow: Statement;
    upsertRollup: Statement;
    insertEvent: Statement;
    upsertCursor: Statement;
  };
  private insertClickStatement: Statement | null = null;
  private readonly transaction: Transaction<(batch: ProcessedBatch) => string[]>;

  constructor(private readonly sqlite: SqliteDatabase) {
    this.statements = {
      relabel: sqlite.prepare(
        `UPDATE clicks SET traffic_class = ?, bot_score = ?, is_suspicious = ?, fraud_reason = ?, reasons = ?
         WHERE click_id = ?`,
      ),
      upsertWindow: sqlite.prepare(
        `INSERT INTO visitor_windows (link_id, visitor_key, window_start) VALUES (?, ?, ?)
         ON CONFLICT (link_id, visitor_key) DO UPDATE SET window_start = excluded.window_start`,
      ),
      upsertRollup: sqlite.prepare(
        `INSERT INTO click_rollups (workspace_id, link_id, hour, country, device_type, referrer_category,
           traffic_class, is_unique, clicks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (workspace_id, hour, link_id, country, device_type, referrer_category, traffic_class, is_unique)
         DO UPDATE SET clicks = clicks + excluded.clicks`,
      ),
      insertEvent: sqlite.prepare(
        'INSERT INTO events (event_id, workspace_id, event_type, occurred_at, payload) VALUES (?, ?, ?, ?, ?)',
      ),
      upsertCursor: sqlite.prepare(
        `INSERT INTO consumer_cursors (consumer, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ),
    };
    this.transaction = sqlite.transaction((batch: ProcessedBatch) => this.writeAll(batch));
  }

  /**
   * Writes the batch in one `BEGIN IMMEDIATE` transaction. Returns the ids of clicks found stored
   * already; then nothing was written (the transaction was rolled back).
   */
  write(batch: ProcessedBatch): string[] {
    try {
      this.transaction.immediate(batch);
      return [];
    } catch (error) {
      if (error instanceof DuplicateClicks) return error.clickIds;
      throw error;
    }
  }

  private writeAll(batch: ProcessedBatch): string[] {
    const s = this.statements;
    const duplicates: string[] = [];
    for (const click of batch.clicks) {
      const row = clickToRow(click);
      if (this.insertClick(row).run(row).changes === 0) duplicates.push(click.clickId);
    }
    // Throwing inside the transaction function rolls the whole batch back.
    if (duplicates.length > 0) throw new DuplicateClicks(duplicates);
    for (const { clickId, verdict } of batch.relabels) {
      s.relabel.run(
        verdict.trafficClass,
        verdict.botScore,
        verdict.isSuspicious ? 1 : 0,
        verdict.fraudReason,
        JSON.stringify(verdict.reasons),
        clickId,
      );
    }
    for (const w of batch.visitorWindows) s.upsertWindow.run(w.linkId, w.visitorKey, w.windowStart);
    for (const d of batch.rollups) {
      s.upsertRollup.run(
        d.workspaceId,
        d.linkId ?? '',
        d.hour,
        d.country ?? '',
        d.deviceType,
        d.referrerCategory,
        d.trafficClass,
        d.isUnique ? 1 : 0,
        d.clicks,
      );
    }
    for (const e of batch.events)
      s.insertEvent.run(e.eventId, e.workspaceId, e.eventType, e.occurredAt, e.payload);
    // No cursor when the click log keeps the group's progress (JetStream acknowledgements).
    if (batch.position !== null) s.upsertCursor.run(batch.consumer, batch.position, batch.at);
    return duplicates;
  }

  /** Prepared on first use, with the columns of the shared row mapping, so the two can never disagree. */
  private insertClick(row: object): Statement {
    if (!this.insertClickStatement) {
      const columns = Object.keys(row);
      this.insertClickStatement = this.sqlite.prepare(
        `INSERT INTO clicks (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
         ON CONFLICT (click_id) DO NOTHING`,
      );
    }
    return this.insertClickStatement;
  }
}

class DuplicateClicks extends Error {
  constructor(readonly clickIds: string[]) {
    super('clicks already stored');
  }
}
