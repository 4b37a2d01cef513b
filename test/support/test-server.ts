import { type Config, loadConfig } from '../../src/config/config.js';
import type { Clock } from '../../src/kernel/clock.js';
import { createLogger } from '../../src/kernel/logger.js';
import { type RunningClickwire, startClickwire } from '../../src/main.js';
import { makeTempDir } from './temp-dir.js';

export const TEST_ADMIN_KEY = 'cw_live_test_bootstrap_key_0123456789abcdef';

export interface TestServer {
  readonly running: RunningClickwire;
  readonly config: Config;
  readonly dataDir: string;
  readonly edgeUrl: string;
  readonly apiUrl: string;
  /** The bootstrap key: admin of the default workspace and instance operator. */
  readonly adminKey: string;
  /** Stops the server and deletes its data directory. */
  close(): Promise<void>;
}

/**
 * An in-process Clickwire on loopback with ephemeral ports and its own temporary data directory:
 * real SQLite files, real HTTP servers.
 */
export async function startTestServer(
  options: { env?: Record<string, string>; clock?: Clock; dataDir?: string } = {},
): Promise<TestServer> {
  const temp = options.dataDir ? null : makeTempDir();
  const dataDir = options.dataDir ?? temp!.dir;
  const config = loadConfig({
    CLICKWIRE_DATA_DIR: dataDir,
    CLICKWIRE_EDGE_PORT: '0',
    CLICKWIRE_API_PORT: '0',
    CLICKWIRE_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
    CLICKWIRE_LOG_LEVEL: 'silent',
    ...options.env,
  });
  const running = await startClickwire(config, {
    role: 'all',
    logger: createLogger(config.logLevel),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    running,
    config,
    dataDir,
    edgeUrl: `http://127.0.0.1:${running.edge!.port}`,
    apiUrl: `http://127.0.0.1:${running.api!.port}`,
    adminKey: TEST_ADMIN_KEY,
    close: async () => {
      await running.stop();
      temp?.remove();
    },
  };
}
