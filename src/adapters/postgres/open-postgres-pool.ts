import pg from 'pg';

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database` (any form `pg` accepts). */
  readonly databaseUrl: string;
  /** Most connections this process opens. */
  readonly maxConnections: number;
  /** Shown in `pg_stat_activity.application_name`, to tell the roles apart. */
  readonly applicationName?: string;
  /**
   * `synchronous_commit` for this pool's sessions: `on` waits for the commit's WAL flush (and any
   * synchronous standby); `off` answers before the flush and can lose the last few hundred
   * milliseconds of commits on a server crash (never corrupts). See docs/scale-out.md.
   */
  readonly synchronousCommit?: 'on' | 'off';
  /** Schema the store lives in (`search_path`), when not the database's default (`public`). */
  readonly schema?: string;
}

/** OIDs of the types whose text form `pg` would otherwise hand over as strings. */
const INT8 = 20;
const NUMERIC = 1700;

/**
 * Numbers the store keeps in BIGINT columns (epoch milliseconds, counters, `seq`) and sums over
 * them (`numeric`) come back as JavaScript numbers, as they do from SQLite. Every such value stays
 * far below 2^53, so nothing is lost; the parsers are per pool, not pg's global ones.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** A connection pool with the type parsers and session settings every Clickwire connection uses. */
export function openPostgresPool(options: PostgresPoolOptions): pg.Pool {
  // Settings given in the URL (`?options=-c …`) are kept: `options` below would replace them.
  const settings = [urlOptions(options.databaseUrl)].filter((value) => value !== '');
  if (options.synchronousCommit) settings.push(`-c synchronous_commit=${options.synchronousCommit}`);
  if (options.schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.schema))
      throw new Error(`not a plain schema name: ${options.schema}`);
    settings.push(`-c search_path=${options.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections,
    application_name: options.applicationName ?? 'clickwire',
    types,
    ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
  });
  // An idle connection the server drops (restart, idle timeout) emits here; without a listener
  // it would crash the process. The pool replaces it on the next checkout.
  pool.on('error', () => {});
  // A connection that is checked out when the server drops it emits `error` on the client itself
  // (between queries nobody is waiting to be rejected): without a listener that, too, is an
  // uncaught exception — found by the store-outage fault test, where it took the processor thread
  // down. The query running on it, if any, still fails and is retried by its caller.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

/** The `options` query parameter of a connection URL (server settings as `-c name=value`), or ''. */
function urlOptions(databaseUrl: string): string {
  try {
    return new URL(databaseUrl).searchParams.get('options')?.trim() ?? '';
  } catch {
    return '';
  }
}
