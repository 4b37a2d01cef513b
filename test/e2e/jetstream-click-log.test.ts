import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLICK_LOG_FILE,
  openEmbeddedBackend,
  STORE_FILE,
} from '../../src/adapters/sqlite/embedded-backend.js';
import type { RawClick } from '../../src/click-log/raw-click.js';
import { systemClock } from '../../src/kernel/clock.js';
import { newId } from '../../src/kernel/ids.js';
import { LinkService } from '../../src/links/link-service.js';
import { TenancyService } from '../../src/tenancy/tenancy-service.js';
import { rawClick } from '../fixtures/raw-click.js';
import { apiClient, click } from '../support/api-client.js';
import { jetStreamAvailable, TestStream } from '../support/jetstream-test-stream.js';
import { CHROME_DESKTOP } from '../support/processing-harness.js';
import { makeTempDir } from '../support/temp-dir.js';
import { startTestServer, TEST_ADMIN_KEY, type TestServer } from '../support/test-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function storeQuery<T>(dataDir: string, sql: string): T[] {
  const db = new Database(path.join(dataDir, STORE_FILE), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe.runIf(jetStreamAvailable())('Clickwire with CLICKWIRE_NATS_URL: the JetStream click log', () => {
  describe('edge → JetStream → processor thread', () => {
    let stream: TestStream;
    let server: TestServer;
    beforeEach(async () => {
      stream = new TestStream();
      server = await startTestServer({ env: stream.env() });
    });
    afterEach(async () => {
      await server.close();
      await stream.drop();
    });

    it('answers redirects once JetStream has the click, and the processor stores each one', async () => {
      const api = apiClient(server.apiUrl, server.adminKey);
      await api('POST', '/v1/links', { body: { destination_url: 'https://example.com/', alias: 'js' } });
      for (let i = 0; i < 5; i++) {
        expect((await click(server.edgeUrl, '/js', { headers: CHROME_DESKTOP })).status).toBe(302);
      }
      // Every answered redirect is in the stream already; the embedded log was never opened.
      expect(await stream.messageCount()).toBe(5);
      expect(fs.existsSync(path.join(server.dataDir, CLICK_LOG_FILE))).toBe(false);

      let stored = 0;
      for (let attempt = 0; attempt < 200 && stored < 5; attempt++) {
        await sleep(50);
        stored = storeQuery<{ n: number }>(server.dataDir, 'SELECT count(*) AS n FROM clicks')[0]!.n;
      }
      expect(stored).toBe(5);
      expect(await stream.consumerState('processor')).toEqual({ pending: 0, unacknowledged: 0 });
    });
  });

  describe('processor processes SIGKILLed mid-work and restarted', () => {
    const CLICKS = 6_000;
    const KILLS = 4;
    let temp: ReturnType<typeof makeTempDir>;
    let stream: TestStream;
    let clicks: RawClick[] = [];

    /** `clickwire start --role processor` on the data dir and the stream; SIGKILL or SIGTERM it. */
    function startProcessor() {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'start', '--role', 'processor'],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            ...stream.env(),
            CLICKWIRE_DATA_DIR: temp.dir,
            CLICKWIRE_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
            CLICKWIRE_LOG_LEVEL: 'warn',
            CLICKWIRE_PROCESSOR_BATCH_SIZE: '200',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return {
        kill: async () => {
          child.kill('SIGKILL');
          await exited;
        },
        terminate: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }

    const storedCount = () => storeQuery<{ n: number }>(temp.dir, 'SELECT count(*) AS n FROM clicks')[0]!.n;

    beforeAll(async () => {
      temp = makeTempDir();
      stream = new TestStream();
      const log = await stream.openLog();
      const backend = await openEmbeddedBackend({
        dataDir: temp.dir,
        captureDurability: 'process',
        captureMaxBatch: 1000,
        clickLog: log,
      });
      const { workspace } = await new TenancyService({
        workspaces: backend.workspaces,
        apiKeys: backend.apiKeys,
        clock: systemClock,
      }).bootstrap(TEST_ADMIN_KEY);
      const links = new LinkService({
        links: backend.links,
        domains: backend.domains,
        clock: systemClock,
        defaultShortUrlBase: 'https://clk.example.test',
        onLinkChanged: () => undefined,
      });
      const linkIds: string[] = [];
      for (let i = 0; i < 5; i++) {
        linkIds.push(
          (await links.create(workspace.workspaceId, { destinationUrl: 'https://example.com/' })).link_id,
        );
      }
      const start = Date.now() - CLICKS * 10;
      clicks = Array.from({ length: CLICKS }, (_, i) =>
        rawClick({
          clickId: newId('click'),
          occurredAt: start + i * 10,
          workspaceId: workspace.workspaceId,
          linkId: linkIds[i % linkIds.length]!,
          headers: CHROME_DESKTOP,
          // Some visitors come back often enough to form bursts, so re-labels happen across crashes too.
          ipHash: (i % 700).toString(16).padStart(32, '0'),
          ipPrefix: `198.51.${i % 97}.0/24`,
        }),
      );
      for (let i = 0; i < CLICKS; i += 1000) await backend.clickLog.appendMany(clicks.slice(i, i + 1000));
      await backend.close();
    });
    afterAll(async () => {
      await stream.drop();
      temp.remove();
    });

    it('ends with every click stored once, rollups and events exact, everything acknowledged', {
      timeout: 180_000,
    }, async () => {
      const seen: number[] = [];
      for (let kill = 0; kill < KILLS && storedCount() < CLICKS; kill++) {
        const before = storedCount();
        const processor = startProcessor();
        // Kill only once this run has committed something, at a different point of the work each time.
        const startDeadline = Date.now() + 60_000;
        while (storedCount() === before && Date.now() < startDeadline) await sleep(20);
        await sleep(Math.floor(Math.random() * 150));
        await processor.kill();
        seen.push(storedCount());
      }
      // Two processors of the group finish the work; the killed ones' batches come back to them.
      const finishers = [startProcessor(), startProcessor()];
      const deadline = Date.now() + 120_000;
      const settled = async () => {
        const state = await stream.consumerState('processor');
        return storedCount() === CLICKS && state.pending === 0 && state.unacknowledged === 0;
      };
      while (!(await settled()) && Date.now() < deadline) await sleep(200);
      await Promise.all(finishers.map((finisher) => finisher.terminate()));

      expect(
        seen.some((count) => count > 0 && count < CLICKS),
        `stored clicks at kills: ${seen}`,
      ).toBe(true);
      expect(await stream.consumerState('processor')).toEqual({ pending: 0, unacknowledged: 0 });
      const one = <T>(sql: string) => storeQuery<T>(temp.dir, sql)[0]!;
      expect(one<{ n: number }>('SELECT count(*) AS n FROM clicks').n).toBe(CLICKS);
      expect(one<{ n: number }>('SELECT count(DISTINCT click_id) AS n FROM clicks').n).toBe(CLICKS);
      expect(one<{ n: number }>('SELECT sum(clicks) AS n FROM click_rollups').n).toBe(CLICKS);
      expect(
        one<{ n: number }>("SELECT count(*) AS n FROM events WHERE event_type = 'click.created'").n,
      ).toBe(CLICKS);
      const perCell = storeQuery<{ n: number; rolled: number }>(
        temp.dir,
        `SELECT c.n, coalesce(r.total, 0) AS rolled
         FROM (SELECT link_id, traffic_class, is_unique, count(*) AS n FROM clicks GROUP BY 1, 2, 3) c
         LEFT JOIN (SELECT link_id, traffic_class, is_unique, sum(clicks) AS total FROM click_rollups GROUP BY 1, 2, 3) r
           USING (link_id, traffic_class, is_unique)`,
      );
      for (const cell of perCell) expect(cell.rolled).toBe(cell.n);
    });
  });
});
