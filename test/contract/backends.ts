import type { Backend } from '../../src/adapters/backend.js';
import { openEmbeddedBackend } from '../../src/adapters/sqlite/embedded-backend.js';
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

export const BACKENDS: readonly BackendUnderTest[] = [sqlite(false), sqlite(true)];
