import type { Statement } from 'better-sqlite3';
import {
  ClicksAlreadyStoredError,
  type ProcessedBatch,
  visitorWindowId,
} from '../../processing/processing-store.js';
import type { SqlEngine } from '../sql/sql-engine.js';
import { SqlProcessingStore } from '../sql/sql-processing-store.js';
import type { SqliteDatabase, SqliteOptions } from './open-sqlite.js';
import { encodeBatch, SqliteBatchWriter } from './sqlite-batch-writer.js';
import { SqliteCommitThread } from './sqlite-commit-thread.js';

/** Where the processor's batches are written: on this connection, or from a commit thread of their own. */
export type ProcessingCommits =
  | { readonly on: 'connection' }
  | { readonly on: 'thread'; readonly file: string; readonly sqlite: SqliteOptions };

/**
 * The processor's store on SQLite with cached prepared statements (see {@link SqliteBatchWriter}).
 *
 * What must stay true: SQLite has one connection here, shared with the Kysely adapters, whose
 * transactions stay open across `await`s. Every synchronous transaction below therefore runs inside
 * `db.connection()`, which holds Kysely's connection mutex, so it can never interleave with one.
 * With commits on a thread of their own (`{ on: 'thread' }`), batches are written on that thread's
 * connection instead, one at a time in the order `commit` was called, so a caller can classify the
 * next batch while one is being written; SQLite's write lock orders them against this connection.
 */
export class SqliteProcessingStore extends SqlProcessingStore {
  private readonly statements: {
    knownIds: Statement;
    visitorWindow: Statement;
  };
  private readonly writer: SqliteBatchWriter | null;
  private readonly commitThread: SqliteCommitThread | null;

  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly kysely: SqlEngine,
    commits: ProcessingCommits = { on: 'connection' },
  ) {
    super(kysely);
    this.statements = {
      knownIds: sqlite.prepare(
        'SELECT click_id FROM clicks WHERE click_id IN (SELECT value FROM json_each(?))',
      ),
      visitorWindow: sqlite.prepare(
        'SELECT window_start FROM visitor_windows WHERE link_id = ? AND visitor_key = ?',
      ),
    };
    this.writer = commits.on === 'connection' ? new SqliteBatchWriter(sqlite) : null;
    this.commitThread =
      commits.on === 'thread' ? new SqliteCommitThread({ file: commits.file, sqlite: commits.sqlite }) : null;
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
    const { writer, commitThread } = this;
    const encoded = encodeBatch(batch);
    const duplicates = commitThread
      ? await commitThread.write(encoded)
      : await this.exclusive(() => writer!.write(encoded));
    if (duplicates.length > 0) throw new ClicksAlreadyStoredError(duplicates);
  }

  /** Stops the commit thread, if any, after the batches in flight. */
  async close(): Promise<void> {
    await this.commitThread?.close();
  }

  /** Runs synchronous work while holding Kysely's single-connection mutex. */
  private exclusive<T>(work: () => T): Promise<T> {
    return this.kysely.db.connection().execute(async () => work());
  }
}
