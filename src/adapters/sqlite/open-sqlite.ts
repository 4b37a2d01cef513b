import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export interface SqliteOptions {
  /**
   * `NORMAL` in WAL mode survives a crash of the process (the commit is in the WAL file) but not
   * a power cut; `FULL` fsyncs every commit and survives both.
   */
  readonly synchronous: 'NORMAL' | 'FULL';
  /**
   * Run WAL checkpoints on this connection as SQLite does by default. The click log turns this off
   * and checkpoints from a worker thread instead, so no redirect waits behind a checkpoint.
   */
  readonly autoCheckpoint: boolean;
}

/** Opens (creating if needed) a SQLite file in WAL mode with the pragmas every Clickwire database uses. */
export function openSqlite(file: string, options: SqliteOptions): SqliteDatabase {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  // Another process (a separate role) may hold the write lock briefly; wait rather than fail.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Deleted rows are overwritten with zeros, not just unlinked: erasure and retention must leave
  // no recoverable trace of a visitor in the file. Costs extra writes on deletes only.
  db.pragma('secure_delete = ON');
  if (!options.autoCheckpoint) db.pragma('wal_autocheckpoint = 0');
  return db;
}
