import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { CLICK_LOG_FILE } from '../../src/adapters/sqlite/embedded-backend.js';
import { SqliteClickLog } from '../../src/adapters/sqlite/sqlite-click-log.js';
import type { LogEntry } from '../../src/click-log/click-log.js';
import type { RawClick } from '../../src/click-log/raw-click.js';
import type { apiClient } from './api-client.js';
import type { TestServer } from './test-server.js';

/**
 * The click log of a running test server, opened beside its edge: raw clicks appended here go
 * through the server's own processor like any captured click, with whatever time, network and
 * headers a test needs. (SQLite lets the two connections share the file.)
 */
export class ServerClickLog {
  private readonly log: SqliteClickLog;

  constructor(server: TestServer) {
    this.log = new SqliteClickLog({
      file: path.join(server.dataDir, CLICK_LOG_FILE),
      synchronous: 'NORMAL',
      maxBatch: 1000,
    });
  }

  /** Appends the clicks in order; resolves once they are durable (not yet processed). */
  async append(clicks: readonly RawClick[]): Promise<void> {
    await Promise.all(clicks.map((click) => this.log.append(click)));
  }

  /** Every entry of the log, as the processor reads them. */
  entries(): Promise<LogEntry[]> {
    return this.log.readAfter(0, 1_000_000);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

/**
 * Waits until the processor has stored a click (and so every click appended before it: the
 * processor commits the log in order). Any key with `clicks:read` of the click's workspace will do.
 */
export async function waitUntilStored(
  api: ReturnType<typeof apiClient>,
  clickId: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await api('GET', `/v1/clicks/${clickId}`);
    if (answer.status === 200) return;
    expect(answer.status, answer.text).toBe(404);
    if (Date.now() > deadline) throw new Error(`click ${clickId} was not processed within ${timeoutMs} ms`);
    await sleep(20);
  }
}
