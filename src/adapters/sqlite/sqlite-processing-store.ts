import type { Statement } from 'better-sqlite3';
import {
  ClicksAlreadyStoredError,
  type ProcessedBatch,
  visitorWindowId,
} from '../../processing/processing-store.js';
import type { SqlEngine } from '../sql/sql-engine.js';
import { clickToRow, SqlProcessingStore } from '../sql/sql-processing-store.js';
import type { SqliteDatabase } from './open-sqlite.js';

/**
 * The processor's store on SQLite with cached prepared statements: a query builder would build and
 * prepare a new multi-row statement for every batch, which costs more than the writes themselves.
 *
 * What must stay true: SQLite has one connection here, shared with the Kysely adapters, whose
 * transactions stay open across `await`s. Every synchronous transaction below therefore runs inside
 * `db.connection()`, which holds Kysely's connection mutex, so it can never interleave with one.
 */
export class SqliteProcessingStore extends SqlProcessingStore {
  private readonly statements: {
    knownIds: Statement;
    visitorWindow: Statement;
    relabel: Statement;
    upsertWindow: Statement;
    upsertRollup: Statement;
    insertEvent: Statement;
    upsertCursor: Statement;
  };

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly kysely: SqlEngine,
  ) {
    super(kysely);
    this.statements = {
      knownIds: sqlite.prepare(
        'SELECT click_id FROM clicks WHERE click_id IN (SELECT value FROM json_each(?))',
      ),
      visitorWindow: sqlite.prepare(
        'SELECT window_start FROM visitor_windows WHERE link_id = ? AND visitor_key = ?',
      ),
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
  }

  override async knownClickIds(clickIds: readonly string[]): Promise<Set<string>> {
    return this.exclusive(() => {
      const rows = this.statements.knownIds.all(JSON.stringify(clickIds)) as { click_id: string }[];
      return new Set(rows.map((row) => row.click_id));
    });
  }

  override async visitorWindows(
    keys: readonly { linkId: string; visitorKey: string }[],
  ): Promise<Map<string, number>> {
    return this.exclusive(() => {
      const windows = new Map<string, number>();
      for (const { linkId, visitorKey } of keys) {
        const id = visitorWindowId(linkId, visitorKey);
        if (windows.has(id)) continue;
        const row = this.statements.visitorWindow.get(linkId, visitorKey) as
          | { window_start: number }
          | undefined;
        if (row) windows.set(id, Number(row.window_start));
      }
      return windows;
    });
  }

  override async commit(batch: ProcessedBatch): Promise<void> {
    const s = this.statements;
    const write = this.sqlite.transaction(() => {
      const duplicates: string[] = [];
      for (const click of batch.clicks) {
        const row = clickToRow(click);
        if (this.insertClick(row).run(row).changes === 0) duplicates.push(click.clickId);
      }
      // Throwing inside the transaction function rolls the whole batch back.
      if (duplicates.length > 0) throw new ClicksAlreadyStoredError(duplicates);
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
    });
    await this.exclusive(() => write.immediate());
  }

  private insertClickStatement: Statement | null = null;

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

  /** Runs synchronous work while holding Kysely's single-connection mutex. */
  private exclusive<T>(work: () => T): Promise<T> {
    return this.kysely.db.connection().execute(async () => work());
  }
}
