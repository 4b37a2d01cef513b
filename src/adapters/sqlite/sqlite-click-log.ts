import { CallerCursorConsumer, type PositionalLog } from '../../click-log/caller-cursor-consumer.js';
import type { ClickLog, ClickLogConsumer, ConsumerOptions, LogEntry } from '../../click-log/click-log.js';
import type { ClickLogPruning, RawClickSelection } from '../../click-log/click-log-pruning.js';
import type { BlockReason, CapturedHeaders, RawClick, RedirectStatus } from '../../click-log/raw-click.js';
import { openSqlite, type SqliteDatabase } from './open-sqlite.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface SqliteClickLogOptions {
  readonly file: string;
  /** See `SqliteOptions.synchronous`. */
  readonly synchronous: 'NORMAL' | 'FULL';
  /** Most clicks in one commit; the rest go in the next, immediately after. */
  readonly maxBatch: number;
}

interface PendingAppend {
  readonly click: RawClick;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS raw_clicks (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  click_id TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  workspace_id TEXT NOT NULL,
  link_id TEXT,
  domain_id TEXT,
  slug TEXT NOT NULL,
  method TEXT NOT NULL,
  redirect_status TEXT NOT NULL,
  block_reason TEXT,
  headers TEXT NOT NULL,
  ip_hash TEXT NOT NULL,
  ip_prefix TEXT NOT NULL,
  country TEXT,
  asn INTEGER,
  asn_org TEXT,
  simulated INTEGER NOT NULL DEFAULT 0,
  privacy_mode TEXT
)`;

/**
 * Columns added after the first release, with their definitions. The log is not under the store's
 * migrations (it is a file of its own, opened by the edge), so a log created before a column existed
 * gets it here, on open.
 */
const ADDED_COLUMNS: readonly (readonly [name: string, definition: string])[] = [
  ['simulated', 'INTEGER NOT NULL DEFAULT 0'],
  ['privacy_mode', 'TEXT'],
];

const INSERT = `INSERT INTO raw_clicks (click_id, occurred_at, workspace_id, link_id, domain_id, slug, method,
  redirect_status, block_reason, headers, ip_hash, ip_prefix, country, asn, asn_org, simulated, privacy_mode)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

interface RawClickRow {
  position: number;
  click_id: string;
  occurred_at: number;
  workspace_id: string;
  link_id: string | null;
  domain_id: string | null;
  slug: string;
  method: string;
  redirect_status: string;
  block_reason: string | null;
  headers: string;
  ip_hash: string;
  ip_prefix: string;
  country: string | null;
  asn: number | null;
  asn_org: string | null;
  simulated: number;
  privacy_mode: string | null;
}

/**
 * The embedded click log: a SQLite table of its own file, written with group commit.
 *
 * Every append made during one event-loop turn is committed together on `setImmediate`, and each
 * append's promise resolves only after that commit returned. better-sqlite3 commits synchronously,
 * so the next batch starts right after the previous one; there is no timer window to wait out.
 */
export class SqliteClickLog implements ClickLog, PositionalLog, ClickLogPruning {
  private readonly db: SqliteDatabase;
  private readonly insertMany: (batch: readonly PendingAppend[]) => void;
  private readonly checkpointer: WalCheckpointer;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  /** Per workspace, the position up to which user agents were dropped: the next pass starts after it. */
  private readonly userAgentsDroppedThrough = new Map<string, number>();

  constructor(private readonly options: SqliteClickLogOptions) {
    this.db = openSqlite(options.file, { synchronous: options.synchronous, autoCheckpoint: false });
    this.db.exec(SCHEMA);
    addMissingColumns(this.db);
    const insert = this.db.prepare(INSERT);
    this.insertMany = this.db.transaction((batch: readonly PendingAppend[]) => {
      for (const { click } of batch) insert.run(...toParams(click));
    });
    this.checkpointer = new WalCheckpointer(options.file);
  }

  appendMany(clicks: readonly RawClick[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('click log is closed'));
    try {
      this.insertMany(clicks.map((click) => ({ click, resolve: noop, reject: noop })));
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  append(click: RawClick): Promise<void> {
    if (this.closed) return Promise.reject(new Error('click log is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ click, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * The log keeps no progress: the processor commits its position in the store's transaction
   * (`ProcessingStore.commit`) and resumes from it. One consumer per group.
   */
  async openConsumer(options: ConsumerOptions): Promise<ClickLogConsumer> {
    return new CallerCursorConsumer(this, options);
  }

  /** Up to `limit` entries after `position` (0 = from the start), in append order. */
  async readAfter(position: number, limit: number): Promise<LogEntry[]> {
    const rows = this.db
      .prepare('SELECT * FROM raw_clicks WHERE position > ? ORDER BY position LIMIT ?')
      .all(position, limit) as RawClickRow[];
    return rows.map((row) => ({ position: row.position, click: fromRow(row) }));
  }

  async deleteBefore(workspaceId: string, before: number, limit: number): Promise<number> {
    // Positions follow arrival, so the expired raw clicks are the first ones: the scan stops early.
    return this.db
      .prepare(
        `DELETE FROM raw_clicks WHERE position IN (SELECT position FROM raw_clicks
         WHERE workspace_id = ? AND occurred_at < ? ORDER BY position LIMIT ?)`,
      )
      .run(workspaceId, before, limit).changes;
  }

  async dropUserAgents(workspaceId: string, throughPosition: number, limit: number): Promise<number> {
    const from = this.userAgentsDroppedThrough.get(workspaceId) ?? 0;
    const rows = this.db
      .prepare(
        `SELECT position, headers FROM raw_clicks WHERE position > ? AND position <= ? AND workspace_id = ?
         ORDER BY position LIMIT ?`,
      )
      .all(from, throughPosition, workspaceId, limit) as { position: number; headers: string }[];
    const update = this.db.prepare('UPDATE raw_clicks SET headers = ? WHERE position = ?');
    this.db.transaction(() => {
      for (const row of rows) {
        const headers = parseHeaders(row.headers);
        if (headers['user-agent'] === undefined) continue;
        delete headers['user-agent'];
        update.run(JSON.stringify(headers), row.position);
      }
    })();
    const last = rows.at(-1)?.position;
    this.userAgentsDroppedThrough.set(
      workspaceId,
      rows.length < limit ? Math.max(from, throughPosition) : (last ?? from),
    );
    return rows.length;
  }

  async erase(workspaceId: string, selection: RawClickSelection, limit: number): Promise<number> {
    const conditions = ['workspace_id = ?'];
    const params: unknown[] = [workspaceId];
    if (selection.ipHashes !== undefined) {
      if (selection.ipHashes.length === 0) return 0;
      conditions.push('ip_hash IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(selection.ipHashes));
    }
    if (selection.userAgent !== undefined) {
      conditions.push(`json_extract(headers, '$."user-agent"') = ?`);
      params.push(selection.userAgent);
    }
    if (selection.linkId !== undefined) {
      conditions.push('link_id = ?');
      params.push(selection.linkId);
    }
    if (selection.from !== undefined) {
      conditions.push('occurred_at >= ?');
      params.push(selection.from);
    }
    if (selection.until !== undefined) {
      conditions.push('occurred_at < ?');
      params.push(selection.until);
    }
    return this.db
      .prepare(
        `DELETE FROM raw_clicks WHERE position IN (SELECT position FROM raw_clicks
         WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT ?)`,
      )
      .run(...params, limit).changes;
  }

  /**
   * Makes deleted raw clicks unrecoverable from the files: deleted content is zeroed in place
   * (`secure_delete`, see openSqlite), and this copies the WAL back and truncates it, so no older
   * page image survives there either. Best effort while other connections are reading.
   */
  async scrubFreedSpace(): Promise<void> {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.pending.length > 0) this.flush();
    await this.checkpointer.stop();
    this.db.close();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
      if (this.pending.length > 0) this.scheduleFlush();
    });
  }

  private flush(): void {
    const batch =
      this.pending.length <= this.options.maxBatch
        ? this.pending
        : this.pending.slice(0, this.options.maxBatch);
    this.pending = batch === this.pending ? [] : this.pending.slice(this.options.maxBatch);
    if (batch.length === 0) return;
    try {
      this.insertMany(batch);
    } catch (error) {
      for (const append of batch) append.reject(error);
      return;
    }
    for (const append of batch) append.resolve();
  }
}

function toParams(click: RawClick): unknown[] {
  return [
    click.clickId,
    click.occurredAt,
    click.workspaceId,
    click.linkId,
    click.domainId,
    click.slug,
    click.method,
    click.redirectStatus,
    click.blockReason,
    JSON.stringify(click.headers),
    // '' stands for "not collected" (privacy option off) in these NOT NULL columns.
    click.ipHash ?? '',
    click.ipPrefix ?? '',
    click.country,
    click.asn,
    click.asnOrg,
    click.simulated === true ? 1 : 0,
    click.privacyMode ?? null,
  ];
}

function fromRow(row: RawClickRow): RawClick {
  return {
    clickId: row.click_id,
    occurredAt: row.occurred_at,
    workspaceId: row.workspace_id,
    linkId: row.link_id,
    domainId: row.domain_id,
    slug: row.slug,
    method: row.method === 'HEAD' ? 'HEAD' : 'GET',
    redirectStatus: row.redirect_status as RedirectStatus,
    blockReason: row.block_reason as BlockReason | null,
    headers: parseHeaders(row.headers),
    ipHash: row.ip_hash === '' ? null : row.ip_hash,
    ipPrefix: row.ip_prefix === '' ? null : row.ip_prefix,
    country: row.country,
    asn: row.asn,
    asnOrg: row.asn_org,
    ...(row.simulated === 1 ? { simulated: true } : {}),
    ...(row.privacy_mode === null ? {} : { privacyMode: row.privacy_mode }),
  };
}

function addMissingColumns(db: SqliteDatabase): void {
  const present = new Set(
    (db.prepare('PRAGMA table_info(raw_clicks)').all() as { name: string }[]).map((column) => column.name),
  );
  for (const [name, definition] of ADDED_COLUMNS) {
    if (!present.has(name)) db.exec(`ALTER TABLE raw_clicks ADD COLUMN ${name} ${definition}`);
  }
}

/** A damaged headers column reads as no headers rather than stopping the consumer. */
function parseHeaders(json: string): CapturedHeaders {
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === 'object' ? (parsed as CapturedHeaders) : {};
  } catch {
    return {};
  }
}

function noop(): void {}
