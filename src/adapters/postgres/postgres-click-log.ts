import type pg from 'pg';
import { CallerCursorConsumer, type PositionalLog } from '../../click-log/caller-cursor-consumer.js';
import type { ClickLog, ClickLogConsumer, ConsumerOptions, LogEntry } from '../../click-log/click-log.js';
import type { ClickLogPruning, RawClickSelection } from '../../click-log/click-log-pruning.js';
import type { RawClick } from '../../click-log/raw-click.js';

export interface PostgresClickLogOptions {
  /** Most clicks in one commit; the rest go in the next, immediately after. */
  readonly maxBatch: number;
}

interface PendingAppend {
  readonly click: RawClick;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Key of the advisory lock that orders appends ("cw-log" in hex); not the store's `seq` lock. */
const APPEND_ORDER_LOCK = '109363514339175';

/**
 * The table, and the trigger that makes `position` follow commit order: every insert first takes a
 * transaction-scoped advisory lock, so no append can commit a lower position after a reader saw a
 * higher one (a sequence hands numbers out at insert time, not at commit). Created in one
 * transaction when the table is missing (so the table never exists without its trigger), under a
 * lock, so processes starting together do not race on the DDL; an existing table is left alone
 * (no DDL lock that would stall the appends of running edges).
 */
const CREATE = [
  `CREATE TABLE click_log (
     position bigserial PRIMARY KEY,
     workspace_id text NOT NULL,
     click_id text NOT NULL,
     occurred_at bigint NOT NULL,
     link_id text,
     ip_hash text,
     user_agent text,
     click text NOT NULL
   )`,
  'CREATE INDEX click_log_by_workspace ON click_log (workspace_id, position)',
  `CREATE OR REPLACE FUNCTION clickwire_click_log_order_lock() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN PERFORM pg_advisory_xact_lock(${APPEND_ORDER_LOCK}); RETURN NULL; END $$`,
  `CREATE TRIGGER click_log_order BEFORE INSERT ON click_log
   FOR EACH STATEMENT EXECUTE FUNCTION clickwire_click_log_order_lock()`,
];

/** One statement for a whole group commit, whatever its size: the columns as arrays. */
const INSERT = `INSERT INTO click_log (workspace_id, click_id, occurred_at, link_id, ip_hash, user_agent, click)
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])`;

const READ = 'SELECT position, click FROM click_log WHERE position > $1 ORDER BY position LIMIT $2';

/**
 * The click log on PostgreSQL, for scale-out without NATS: a table with a `bigserial` position,
 * written with group commit like the embedded log. Appends made during one event-loop turn share
 * one single-statement transaction (one round trip); while it commits, the next turn's appends
 * gather for the commit after it. Each append resolves only after its commit returned, so a
 * redirect answered is a click on disk (`synchronous_commit` permitting, see docs/scale-out.md).
 *
 * The click is stored as its JSON text, so fields added to `RawClick` later need no migration here
 * and odd header bytes survive (PostgreSQL text and `jsonb` cannot hold U+0000; JSON escapes it).
 * What pruning selects by has columns of its own; the user agent there is JSON-encoded too.
 * Appends from all edges serialise on one lock for as long as an insert and its commit take, and
 * the log keeps no consumer progress (the processor commits its position with its output, one
 * consumer per group): the JetStream log (`CLICKWIRE_NATS_URL`) is the one that scales out.
 */
export class PostgresClickLog implements ClickLog, PositionalLog, ClickLogPruning {
  private pending: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;
  /** Per workspace, the position through which user agents were dropped (this process's memory). */
  private readonly userAgentsDroppedThrough = new Map<string, number>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresClickLogOptions,
  ) {}

  /** Creates the table (and its ordering trigger) if needed, then the log. */
  static async open(pool: pg.Pool, options: PostgresClickLogOptions): Promise<PostgresClickLog> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(${APPEND_ORDER_LOCK})`);
      const { rows } = await client.query<{ found: string | null }>(
        "SELECT to_regclass('click_log')::text AS found",
      );
      if (!rows[0]?.found) for (const statement of CREATE) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    return new PostgresClickLog(pool, options);
  }

  append(click: RawClick): Promise<void> {
    if (this.closed) return Promise.reject(new Error('click log is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ click, resolve, reject });
      this.schedule();
    });
  }

  async appendMany(clicks: readonly RawClick[]): Promise<void> {
    if (this.closed) throw new Error('click log is closed');
    if (clicks.length > 0) await this.insert(clicks);
  }

  async openConsumer(options: ConsumerOptions): Promise<ClickLogConsumer> {
    return new CallerCursorConsumer(this, options);
  }

  async readAfter(position: number, limit: number): Promise<LogEntry[]> {
    const { rows } = await this.pool.query<{ position: number; click: string }>(READ, [position, limit]);
    return rows.map((row) => ({ position: Number(row.position), click: JSON.parse(row.click) as RawClick }));
  }

  async deleteBefore(workspaceId: string, before: number, limit: number): Promise<number> {
    // Positions follow arrival, so the expired raw clicks are the first ones: the scan stops early.
    const result = await this.pool.query(
      `DELETE FROM click_log WHERE position IN (SELECT position FROM click_log
       WHERE workspace_id = $1 AND occurred_at < $2 ORDER BY position LIMIT $3)`,
      [workspaceId, before, limit],
    );
    return result.rowCount ?? 0;
  }

  async dropUserAgents(workspaceId: string, throughPosition: number, limit: number): Promise<number> {
    const from = this.userAgentsDroppedThrough.get(workspaceId) ?? 0;
    const { rows } = await this.pool.query<{ position: number; click: string | null }>(
      `SELECT position, CASE WHEN user_agent IS NULL THEN NULL ELSE click END AS click FROM click_log
       WHERE workspace_id = $1 AND position > $2 AND position <= $3 ORDER BY position LIMIT $4`,
      [workspaceId, from, throughPosition, limit],
    );
    const changed = rows.flatMap((row) => {
      if (row.click === null) return [];
      const click = JSON.parse(row.click) as RawClick;
      const { 'user-agent': _dropped, ...headers } = click.headers;
      return [{ position: Number(row.position), click: JSON.stringify({ ...click, headers }) }];
    });
    if (changed.length > 0) {
      await this.pool.query(
        `UPDATE click_log c SET click = u.click, user_agent = NULL
         FROM unnest($1::bigint[], $2::text[]) AS u(position, click) WHERE c.position = u.position`,
        [changed.map((row) => row.position), changed.map((row) => row.click)],
      );
    }
    const last = rows.at(-1)?.position;
    this.userAgentsDroppedThrough.set(
      workspaceId,
      rows.length < limit ? Math.max(from, throughPosition) : Number(last ?? from),
    );
    return rows.length;
  }

  async erase(workspaceId: string, selection: RawClickSelection, limit: number): Promise<number> {
    const params: unknown[] = [workspaceId];
    const conditions = ['workspace_id = $1'];
    const add = (condition: (param: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(condition(`$${params.length}`));
    };
    if (selection.ipHashes !== undefined) {
      if (selection.ipHashes.length === 0) return 0;
      add((p) => `ip_hash = ANY(${p}::text[])`, selection.ipHashes);
    }
    if (selection.userAgent !== undefined) {
      add((p) => `user_agent = ${p}`, JSON.stringify(selection.userAgent));
    }
    if (selection.linkId !== undefined) add((p) => `link_id = ${p}`, selection.linkId);
    if (selection.from !== undefined) add((p) => `occurred_at >= ${p}`, selection.from);
    if (selection.until !== undefined) add((p) => `occurred_at < ${p}`, selection.until);
    params.push(limit);
    const result = await this.pool.query(
      `DELETE FROM click_log WHERE position IN (SELECT position FROM click_log
       WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT $${params.length})`,
      params,
    );
    return result.rowCount ?? 0;
  }

  /**
   * Deleted rows stay in the table's pages until VACUUM reclaims them; this runs it now. Copies in
   * the WAL and in backups age out with them (see docs/scale-out.md).
   */
  async scrubFreedSpace(): Promise<void> {
    await this.pool.query('VACUUM click_log');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing || this.pending.length > 0) {
      if (this.flushing) await this.flushing;
      else this.flush();
    }
  }

  /** Flushes on the next turn, or as soon as the commit in progress returns. */
  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.flushing || this.pending.length === 0) return;
    const batch = this.pending.slice(0, this.options.maxBatch);
    this.pending = this.pending.slice(batch.length);
    this.flushing = this.insert(batch.map((append) => append.click)).then(
      () => {
        for (const append of batch) append.resolve();
      },
      (error: unknown) => {
        for (const append of batch) append.reject(error);
      },
    );
    void this.flushing.finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async insert(clicks: readonly RawClick[]): Promise<void> {
    await this.pool.query(INSERT, [
      clicks.map((click) => click.workspaceId),
      clicks.map((click) => click.clickId),
      clicks.map((click) => click.occurredAt),
      clicks.map((click) => click.linkId),
      clicks.map((click) => click.ipHash),
      clicks.map((click) => {
        const userAgent = click.headers['user-agent'];
        return userAgent === undefined ? null : JSON.stringify(userAgent);
      }),
      clicks.map((click) => JSON.stringify(click)),
    ]);
  }
}
