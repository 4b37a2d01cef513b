import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteClickLog } from '../../src/adapters/sqlite/sqlite-click-log.js';
import { rawClick } from '../fixtures/raw-click.js';
import { makeTempDir } from '../support/temp-dir.js';

let temp: { dir: string; remove: () => void };
beforeEach(() => {
  temp = makeTempDir('clickwire-clicklog-');
});
afterEach(() => temp.remove());

it('a click log written before the simulated column gets it on open, and keeps its clicks', async () => {
  const file = path.join(temp.dir, 'clicklog.db');
  // The table as the first release created it.
  const old = new Database(file);
  old.exec(`CREATE TABLE raw_clicks (
    position INTEGER PRIMARY KEY AUTOINCREMENT, click_id TEXT NOT NULL, occurred_at INTEGER NOT NULL,
    workspace_id TEXT NOT NULL, link_id TEXT, domain_id TEXT, slug TEXT NOT NULL, method TEXT NOT NULL,
    redirect_status TEXT NOT NULL, block_reason TEXT, headers TEXT NOT NULL, ip_hash TEXT NOT NULL,
    ip_prefix TEXT NOT NULL, country TEXT, asn INTEGER, asn_org TEXT)`);
  const before = rawClick({ clickId: 'clk_01JDQ3ZC7N0000000000000001' });
  old
    .prepare(
      `INSERT INTO raw_clicks (click_id, occurred_at, workspace_id, link_id, domain_id, slug, method, redirect_status,
       block_reason, headers, ip_hash, ip_prefix, country, asn, asn_org) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      before.clickId,
      before.occurredAt,
      before.workspaceId,
      before.linkId,
      before.domainId,
      before.slug,
      before.method,
      before.redirectStatus,
      before.blockReason,
      JSON.stringify(before.headers),
      before.ipHash,
      before.ipPrefix,
      before.country,
      before.asn,
      before.asnOrg,
    );
  old.close();

  for (let open = 0; open < 2; open++) {
    const log = new SqliteClickLog({ file, synchronous: 'NORMAL', maxBatch: 10 });
    if (open === 0)
      await log.append(rawClick({ clickId: 'clk_01JDQ3ZC7N0000000000000002', simulated: true }));
    const clicks = (await log.readAfter(0, 10)).map((entry) => entry.click);
    expect(clicks[0]).toEqual(before);
    expect(clicks[1]).toMatchObject({ clickId: 'clk_01JDQ3ZC7N0000000000000002', simulated: true });
    await log.close();
  }
});
