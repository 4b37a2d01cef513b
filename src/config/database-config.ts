import { ConfigError, type Env, integer, oneOf } from './env-parsers.js';

/**
 * The PostgreSQL store's settings (`CLICKWIRE_DATABASE_*`). Set `CLICKWIRE_DATABASE_URL` and the
 * store is PostgreSQL instead of the embedded SQLite files; see docs/scale-out.md.
 */
export interface DatabaseConfig {
  /** `postgres://user:password@host:port/database[?sslmode=…]`, as given. */
  readonly url: string;
  /** Most connections one process keeps (`CLICKWIRE_DATABASE_POOL_SIZE`, default 10). */
  readonly poolSize: number;
  /**
   * `CLICKWIRE_DATABASE_SYNCHRONOUS_COMMIT`: `on` (default) waits for each commit's WAL flush;
   * `off` may lose the last commits on a server crash, in exchange for fewer flushes.
   */
  readonly synchronousCommit: 'on' | 'off';
}

const URL_VARIABLE = 'CLICKWIRE_DATABASE_URL';

/** Parses the settings; `null` when `CLICKWIRE_DATABASE_URL` is not set. Throws a ConfigError naming a bad one. */
export function loadDatabaseConfig(env: Env): DatabaseConfig | null {
  const value = env[URL_VARIABLE]?.trim();
  if (!value) return null;
  const allowed =
    'a postgres:// or postgresql:// URL with a host, e.g. postgres://clickwire@db:5432/clickwire';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(URL_VARIABLE, allowed, redact(value));
  }
  if ((url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
    throw new ConfigError(URL_VARIABLE, allowed, redact(value));
  }
  return {
    url: value,
    poolSize: integer(env, 'CLICKWIRE_DATABASE_POOL_SIZE', 10, 1, 1000),
    synchronousCommit: oneOf(env, 'CLICKWIRE_DATABASE_SYNCHRONOUS_COMMIT', ['on', 'off'], 'on'),
  };
}

/** The URL without its password, for an error message. */
function redact(value: string): string {
  return value.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
