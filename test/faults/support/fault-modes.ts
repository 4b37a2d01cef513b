import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';

/**
 * The deployments each fault test runs against. Embedded always; scale-out (PostgreSQL + NATS
 * JetStream) when their URLs are given, with a fresh database and stream per run.
 */
export interface FaultMode {
  readonly name: string;
  /** Environment for `clickwire start` in this mode; called once per test. */
  env(): Promise<Record<string, string>>;
  /**
   * Makes the store unavailable to the running server for `ms`, then gives it back. Resolves once
   * the store is back.
   */
  withStoreDown(dataDir: string, ms: number): Promise<void>;
  /** Drops what `env` created. */
  dispose(): Promise<void>;
}

/** The checks read every stored click back through the API, many pages a second: no budget may stop them. */
const UNLIMITED_API = {
  CLICKWIRE_API_RATE_LIMIT_RAW: '1000000',
  CLICKWIRE_API_RATE_LIMIT_AGGREGATE: '1000000',
};

const embedded: FaultMode = {
  name: 'embedded',
  env: async () => ({ ...UNLIMITED_API }),
  // An exclusive transaction on the store file from another process: every writer of the server
  // waits out its busy timeout and then fails, for longer than that timeout.
  withStoreDown: async (dataDir, ms) => {
    const store = new Database(path.join(dataDir, 'clickwire.db'));
    try {
      store.exec('BEGIN EXCLUSIVE');
      await sleep(ms);
      store.exec('COMMIT');
    } finally {
      store.close();
    }
  },
  dispose: async () => {},
};

export function faultModes(): FaultMode[] {
  return [embedded];
}
