import type { Statement, Transaction } from 'better-sqlite3';
import type { ProcessedBatch } from '../../processing/processing-store.js';
import { clickToRow } from '../sql/sql-processing-store.js';
import type { SqliteDatabase } from './open-sqlite.js';

/**
 * A processor batch as the writer takes it: the rows' values one after the other, in flat arrays.
 * Arrays of values cross to the commit thread several times cheaper than objects (whose every key
 * the structured clone writes out again), and they are what the statements bind anyway.
 */
export interface EncodedBatch {
  readonly consumer: string;
  readonly position: number | null;
  readonly at: number;
  /** Columns of a click row, from the shared row mapping (`clickToRow`). */
  readonly clickColumns: readonly string[];
  readonly clicks: readonly unknown[];
  readonly relabels: readonly unknown[];
  readonly visitorWindows: readonly unknown[];
  readonly rollups: readonly unknown[];
  readonly events: readonly unknown[];
}

export function encodeBatch(batch: ProcessedBatch): EncodedBatch {
  let clickColumns: string[] = [];
  const clicks: unknown[] = [];
  for (const click of batch.clicks) {
    const row = clickToRow(click);
    if (clickColumns.length === 0) clickColumns = Object.keys(row);
    for (const value of Object.values(row)) clicks.push(value);
  }
  const relabels: unknown[] = [];
  for (const { clickId, verdict } of batch.relabels) {
    relabels.push(
      verdict.trafficClass,
      verdict.botScore,
      verdict.isSuspicious ? 1 : 0,
      verdict.fraudReason,
      JSON.stringify(verdict.reasons),
      clickId,
    );
  }
  const visitorWindows: unknown[] = [];
  for (const w of batch.visitorWindows) visitorWindows.push(w.linkId, w.visitorKey, w.windowStart);
  const rollups: unknown[] = [];
  for (const d of batch.rollups) {
    rollups.push(
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
  const events: unknown[] = [];
  for (const e of batch.events) events.push(e.eventId, e.workspaceId, e.eventType, e.occurredAt, e.payload);
  return {
    consumer: batch.consumer,
    position: batch.position,
    at: batch.at,
    clickColumns,
    clicks,
    relabels,
    visitorWindows,
    rollups,
    events,
  };
}

/**
 * Writes processor batches on one SQLite connection with cached prepared statements: a query
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
  private insertClickStatement: { columns: string; statement: Statement } | null = null;
  private readonly transaction: Transaction<(batch: EncodedBatch) => string[]>;

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
    this.transaction = sqlite.transaction((batch: EncodedBatch) => this.writeAll(batch));
  }

  /**
   * Writes the batch in one `BEGIN IMMEDIATE` transaction. Returns the ids of clicks found stored
   * already; then nothing was written (the transaction was rolled back).
   */
  write(batch: EncodedBatch): string[] {
    try {
      this.transaction.immediate(batch);
      return [];
    } catch (error) {
      if (error instanceof DuplicateClicks) return error.clickIds;
      throw error;
    }
  }

  private writeAll(batch: EncodedBatch): string[] {
    const s = this.statements;
    const duplicates: string[] = [];
    if (batch.clicks.length > 0) {
      const width = batch.clickColumns.length;
      const idAt = batch.clickColumns.indexOf('click_id');
      const insert = this.insertClick(batch.clickColumns);
      for (let at = 0; at < batch.clicks.length; at += width) {
        const row = batch.clicks.slice(at, at + width);
        if (insert.run(row).changes === 0) duplicates.push(row[idAt] as string);
      }
    }
    // Throwing inside the transaction function rolls the whole batch back.
    if (duplicates.length > 0) throw new DuplicateClicks(duplicates);
    eachRow(batch.relabels, 6, (row) => s.relabel.run(row));
    eachRow(batch.visitorWindows, 3, (row) => s.upsertWindow.run(row));
    eachRow(batch.rollups, 9, (row) => s.upsertRollup.run(row));
    eachRow(batch.events, 5, (row) => s.insertEvent.run(row));
    // No cursor when the click log keeps the group's progress (JetStream acknowledgements).
    if (batch.position !== null) s.upsertCursor.run(batch.consumer, batch.position, batch.at);
    return duplicates;
  }

  /** Prepared on first use, with the columns of the shared row mapping, so the two can never disagree. */
  private insertClick(columns: readonly string[]): Statement {
    const key = columns.join(', ');
    if (this.insertClickStatement?.columns !== key) {
      this.insertClickStatement = {
        columns: key,
        statement: this.sqlite.prepare(
          `INSERT INTO clicks (${key}) VALUES (${columns.map(() => '?').join(', ')})
           ON CONFLICT (click_id) DO NOTHING`,
        ),
      };
    }
    return this.insertClickStatement.statement;
  }
}

function eachRow(values: readonly unknown[], width: number, run: (row: unknown[]) => void): void {
  for (let at = 0; at < values.length; at += width) run(values.slice(at, at + width));
}

class DuplicateClicks extends Error {
  constructor(readonly clickIds: string[]) {
    super('clicks already stored');
  }
}
