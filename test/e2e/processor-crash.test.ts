import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedBackend } from '../../src/adapters/sqlite/embedded-backend.js';
import { systemClock } from '../../src/kernel/clock.js';
import { newId } from '../../src/kernel/ids.js';
import { LinkService } from '../../src/links/link-service.js';
import { TenancyService } from '../../src/tenancy/tenancy-service.js';
import { rawClick } from '../fixtures/raw-click.js';
import { CHROME_DESKTOP } from '../support/processing-harness.js';
import { makeTempDir } from '../support/temp-dir.js';
import { TEST_ADMIN_KEY } from '../support/test-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLICKS = 12_000;
const KILLS = 6;

/** `clickwire start --role processor` over the data dir; returns a way to SIGKILL it and its exit. */
function startProcessor(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'start', '--role', 'processor'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        CLICKWIRE_DATA_DIR: dataDir,
        CLICKWIRE_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
        CLICKWIRE_LOG_LEVEL: 'warn',
        CLICKWIRE_PROCESSOR_BATCH_SIZE: '250',
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

describe('processor crash (SIGKILL between log read and commit)', () => {
  const temp = makeTempDir();
  const linkIds: string[] = [];
  let lastPosition = 0;

  beforeAll(async () => {
    const backend = await openEmbeddedBackend({
      dataDir: temp.dir,
      captureDurability: 'process',
      captureMaxBatch: 1000,
    });
    const tenancy = new TenancyService({
      workspaces: backend.workspaces,
      apiKeys: backend.apiKeys,
      clock: systemClock,
    });
    const { workspace } = await tenancy.bootstrap(TEST_ADMIN_KEY);
    const links = new LinkService({
      links: backend.links,
      domains: backend.domains,
      clock: systemClock,
      defaultShortUrlBase: 'https://clk.example.test',
      onLinkChanged: () => undefined,
    });
    for (let i = 0; i < 5; i++)
      linkIds.push(
        (await links.create(workspace.workspaceId, { destinationUrl: 'https://example.com/' })).link_id,
      );
    const start = Date.now() - CLICKS * 10;
    const appends: Promise<void>[] = [];
    for (let i = 0; i < CLICKS; i++) {
      appends.push(
        backend.clickLog.append(
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
        ),
      );
    }
    await Promise.all(appends);
    // The embedded log numbers entries 1, 2, …: the last one is the one after position CLICKS - 1.
    const tail = await backend.clickLog.openConsumer({
      group: 'tail',
      batchSize: 10,
      committedPosition: async () => CLICKS - 1,
    });
    lastPosition = (await tail.fetch()).at(-1)!.position;
    await backend.close();
  });
  afterAll(() => temp.remove());

  it('ends with every click stored once and rollups and events that match exactly', {
    timeout: 120_000,
  }, async () => {
    const store = () =>
      new Database(path.join(temp.dir, 'clickwire.db'), { readonly: true, fileMustExist: true });
    const cursor = () => {
      const db = store();
      try {
        const row = db.prepare("SELECT position FROM consumer_cursors WHERE consumer = 'processor'").get() as
          | { position: number }
          | undefined;
        return row?.position ?? 0;
      } finally {
        db.close();
      }
    };

    const seen: number[] = [];
    for (let kill = 0; kill < KILLS && cursor() < lastPosition; kill++) {
      const before = cursor();
      const processor = startProcessor(temp.dir);
      // Kill only once this run has committed something, at a different point of the work each time.
      const startDeadline = Date.now() + 30_000;
      while (cursor() === before && Date.now() < startDeadline) await sleep(20);
      await sleep(Math.floor(Math.random() * 150));
      await processor.kill();
      seen.push(cursor());
    }
    const finisher = startProcessor(temp.dir);
    const deadline = Date.now() + 90_000;
    while (cursor() < lastPosition && Date.now() < deadline) await sleep(200);
    await finisher.terminate();
    expect(cursor()).toBe(lastPosition);
    // At least one kill landed while work was going on, not before it started or after it ended.
    expect(
      seen.some((position) => position > 0 && position < lastPosition),
      `cursor at kills: ${seen}`,
    ).toBe(true);

    const db = store();
    try {
      const one = <T>(sql: string) => db.prepare(sql).get() as T;
      expect(one<{ n: number }>('SELECT count(*) AS n FROM clicks').n).toBe(CLICKS);
      expect(one<{ n: number }>('SELECT count(DISTINCT click_id) AS n FROM clicks').n).toBe(CLICKS);
      expect(one<{ n: number }>('SELECT sum(clicks) AS n FROM click_rollups').n).toBe(CLICKS);
      expect(
        one<{ n: number }>("SELECT count(*) AS n FROM events WHERE event_type = 'click.created'").n,
      ).toBe(CLICKS);
      const perCell = db
        .prepare(
          `SELECT c.link_id, c.traffic_class, c.is_unique, c.n, coalesce(r.total, 0) AS rolled
           FROM (SELECT link_id, traffic_class, is_unique, count(*) AS n FROM clicks GROUP BY 1, 2, 3) c
           LEFT JOIN (SELECT link_id, traffic_class, is_unique, sum(clicks) AS total FROM click_rollups GROUP BY 1, 2, 3) r
             USING (link_id, traffic_class, is_unique)`,
        )
        .all() as { n: number; rolled: number }[];
      for (const cell of perCell) expect(cell.rolled).toBe(cell.n);
    } finally {
      db.close();
    }
  });
});
