import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Where the PostgreSQL tests run: `CLICKWIRE_TEST_DATABASE_URL` (e.g.
 * `postgres://postgres@127.0.0.1:5432/test`), or `null` when it is not set — then the PostgreSQL
 * suites are skipped with a note, unless `CLICKWIRE_REQUIRE_SERVICES` says a missing service is a
 * failure (CI).
 */
export const TEST_DATABASE_URL: string | null = process.env.CLICKWIRE_TEST_DATABASE_URL || null;

/** `CLICKWIRE_REQUIRE_SERVICES=1` (or `true`): a service that is not configured fails the run. */
export const SERVICES_REQUIRED = ['1', 'true'].includes(process.env.CLICKWIRE_REQUIRE_SERVICES ?? '');

/** A schema of its own for one backend under test: created empty, dropped with everything in it. */
export interface TestSchema {
  readonly databaseUrl: string;
  readonly schema: string;
  drop(): Promise<void>;
}

/**
 * Creates a fresh schema `cw_test_<random>` in the test database, so every test starts empty and
 * leftovers of earlier (or crashed) runs never matter.
 */
export async function createTestSchema(databaseUrl: string): Promise<TestSchema> {
  const schema = `cw_test_${randomBytes(6).toString('hex')}`;
  await withClient(databaseUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
  return {
    databaseUrl,
    schema,
    drop: () =>
      withClient(databaseUrl, (client) => client.query(`DROP SCHEMA ${schema} CASCADE`)).then(() => {}),
  };
}

async function withClient<T>(databaseUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
