import type { Backend } from '../../src/adapters/backend.js';
import { openPostgresBackend } from '../../src/adapters/postgres/postgres-backend.js';
import { openEmbeddedBackend } from '../../src/adapters/sqlite/embedded-backend.js';
import { jetStreamAvailable, TestStream } from '../support/jetstream-test-stream.js';
import { createTestSchema, SERVICES_REQUIRED, TEST_DATABASE_URL } from '../support/postgres-test-database.js';
import { makeTempDir } from '../support/temp-dir.js';

/**
 * Every engine the ports have an adapter for. Each contract suite runs once per entry; an engine is
 * done only when all of them pass on it. PostgreSQL and JetStream join this list in scale-out mode.
 */
export interface BackendUnderTest {
  readonly name: string;
  /** A fresh, empty, migrated backend of its own. */
  open(): Promise<{ backend: Backend; dispose: () => Promise<void> }>;
}

function sqlite(portableAdaptersOnly: boolean): BackendUnderTest {
  return {
    name: portableAdaptersOnly ? 'sqlite (portable SQL adapters)' : 'sqlite',
    open: async () => {
      const temp = makeTempDir('clickwire-contract-');
      const backend = await openEmbeddedBackend({
        dataDir: temp.dir,
        captureDurability: 'process',
        captureMaxBatch: 100,
        portableAdaptersOnly,
      });
      return {
        backend,
        dispose: async () => {
          await backend.close();
          temp.remove();
        },
      };
    },
  };
}

/**
 * PostgreSQL at `CLICKWIRE_TEST_DATABASE_URL`, each `open` in a fresh schema dropped on dispose;
 * the table click log. Without the variable: left out with a note, or — when services are
 * required (CI) — an entry whose every test fails saying why.
 */
function postgres(): BackendUnderTest[] {
  const name = 'postgresql';
  if (TEST_DATABASE_URL === null) {
    if (SERVICES_REQUIRED) {
      return [
        {
          name,
          open: () =>
            Promise.reject(
              new Error('CLICKWIRE_REQUIRE_SERVICES is set but CLICKWIRE_TEST_DATABASE_URL is not'),
            ),
        },
      ];
    }
    console.warn(
      'PostgreSQL contract suites skipped: set CLICKWIRE_TEST_DATABASE_URL=postgres://… to run them (see DEVELOPERS.md)',
    );
    return [];
  }
  const databaseUrl = TEST_DATABASE_URL;
  return [
    {
      name,
      open: async () => {
        const schema = await createTestSchema(databaseUrl);
        const backend = await openPostgresBackend({
          databaseUrl,
          schema: schema.schema,
          captureMaxBatch: 100,
          maxConnections: 4,
        }).catch(async (error: unknown) => {
          await schema.drop();
          throw error;
        });
        return {
          backend,
          dispose: async () => {
            await backend.close();
            await schema.drop();
          },
        };
      },
    },
  ];
}

export const BACKENDS: readonly BackendUnderTest[] = [sqlite(false), sqlite(true), ...postgres()];

/**
 * The embedded store with the JetStream click log on a fresh stream of its own, deleted on dispose
 * (`CLICKWIRE_TEST_NATS_URL`). Only the click log differs from the SQLite entry, so it joins the
 * click-log suite alone. Without the variable: left out with a note, or — when services are
 * required (CI) — an entry whose every test fails saying why.
 */
function jetstream(): BackendUnderTest[] {
  const name = 'sqlite + jetstream click log';
  let available: boolean;
  try {
    available = jetStreamAvailable();
  } catch (error) {
    return [{ name, open: () => Promise.reject(error) }];
  }
  if (!available) return [];
  return [
    {
      name,
      open: async () => {
        const temp = makeTempDir('clickwire-contract-');
        const stream = new TestStream();
        const backend = await stream
          .openLog()
          .then((clickLog) =>
            openEmbeddedBackend({
              dataDir: temp.dir,
              captureDurability: 'process',
              captureMaxBatch: 100,
              clickLog,
            }),
          )
          .catch(async (error: unknown) => {
            await stream.drop();
            temp.remove();
            throw error;
          });
        return {
          backend,
          dispose: async () => {
            await backend.close();
            await stream.drop();
            temp.remove();
          },
        };
      },
    },
  ];
}

/** Every click log: the one of each backend, and JetStream. */
export const CLICK_LOG_BACKENDS: readonly BackendUnderTest[] = [...BACKENDS, ...jetstream()];
