import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TestStream } from '../../support/jetstream-test-stream.js';
import {
  createTestSchema,
  SERVICES_REQUIRED,
  TEST_DATABASE_URL,
  type TestSchema,
} from '../../support/postgres-test-database.js';

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

/**
 * PostgreSQL store (a schema of its own, passed in the URL's `options`) and JetStream click log (a
 * stream of its own). The store outage refuses the whole database: new connections are not
 * allowed and the server's are cut, as when PostgreSQL goes down.
 */
function scaleOut(databaseUrl: string): FaultMode {
  let schema: TestSchema | null = null;
  let stream: TestStream | null = null;
  const databaseName = new URL(databaseUrl).pathname.slice(1);
  // ALTER DATABASE cannot run on the database it changes: use the maintenance database.
  const maintenanceUrl = Object.assign(new URL(databaseUrl), { pathname: '/postgres' }).toString();
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: maintenanceUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const allowConnections = (allowed: boolean) =>
    admin(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS ${allowed}`);
  return {
    name: 'postgresql + jetstream',
    env: async () => {
      // A run that died mid-outage must not leave the database refusing everyone.
      await allowConnections(true);
      schema = await createTestSchema(databaseUrl);
      stream = new TestStream();
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${schema.schema}`);
      return { ...UNLIMITED_API, CLICKWIRE_DATABASE_URL: url.toString(), ...stream.env() };
    },
    withStoreDown: async (_dataDir, ms) => {
      await allowConnections(false);
      try {
        await admin(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${databaseName}' AND pid <> pg_backend_pid()`,
        );
        await sleep(ms);
      } finally {
        await allowConnections(true);
      }
    },
    dispose: async () => {
      await schema?.drop();
      await stream?.drop();
    },
  };
}

export function faultModes(): FaultMode[] {
  const natsUrl = process.env.CLICKWIRE_TEST_NATS_URL;
  if (TEST_DATABASE_URL && natsUrl) return [embedded, scaleOut(TEST_DATABASE_URL)];
  if (SERVICES_REQUIRED)
    throw new Error('CLICKWIRE_REQUIRE_SERVICES is set but the PostgreSQL or NATS URL is not');
  console.warn(
    'fault suites: scale-out mode skipped; set CLICKWIRE_TEST_DATABASE_URL and CLICKWIRE_TEST_NATS_URL to run it (DEVELOPERS.md)',
  );
  return [embedded];
}
