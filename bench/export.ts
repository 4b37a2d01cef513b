/**
 * Export benchmark: seeds a store with N clicks, starts the API on it and streams
 * `GET /v1/exports/clicks` (NDJSON, then CSV) to a reader that discards what it gets, sampling the
 * process's resident memory as the rows arrive. The claim under test is constant memory: RSS late in
 * the export should be the RSS early in it, whatever N is.
 *
 *   npx tsx bench/export.ts [--clicks 1000000] [--keep]
 *
 * Printed per format: rows/s, and RSS at 10 %, 50 % and 100 % of the rows as ratios of the RSS at
 * 10 % (the baseline measured in the same run): ≈1.0 all along means memory stayed flat.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { clickToRow } from '../src/adapters/sql/sql-processing-store.js';
import { openEmbeddedBackend, STORE_FILE } from '../src/adapters/sqlite/embedded-backend.js';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/kernel/clock.js';
import { newId } from '../src/kernel/ids.js';
import { createLogger } from '../src/kernel/logger.js';
import { startClickwire } from '../src/main.js';
import { PRIVACY_MODE, type ProcessedClick } from '../src/processing/processed-click.js';
import { TenancyService } from '../src/tenancy/tenancy-service.js';
import { writePerformanceSection } from './support/performance-doc.js';

const API_KEY = 'cw_live_bench_export_0123456789abcdef0123456789';
const { values: args } = parseArgs({
  options: {
    clicks: { type: 'string', default: '1000000' },
    keep: { type: 'boolean', default: false },
  },
});
const total = Number(args.clicks);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickwire-bench-export-'));
const backend = await openEmbeddedBackend({
  dataDir: dir,
  captureDurability: 'process',
  captureMaxBatch: 1000,
});
const tenancy = new TenancyService({
  workspaces: backend.workspaces,
  apiKeys: backend.apiKeys,
  clock: systemClock,
});
const workspaceId = (await tenancy.bootstrap(API_KEY)).workspace.workspaceId;
await backend.close();

// Seed with prepared statements, in transactions of 10,000 rows.
const db = new Database(path.join(dir, STORE_FILE));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = OFF');
const start = Date.now() - 30 * 86_400_000;
const sample = clickToRow(aClick(0));
const columns = Object.keys(sample);
const insert = db.prepare(
  `INSERT INTO clicks (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
);
const seed = db.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) insert.run(clickToRow(aClick(i)));
});
for (let i = 0; i < total; i += 10_000) seed(i, Math.min(total, i + 10_000));
db.close();
console.log(`seeded ${total.toLocaleString('en')} clicks in ${dir}`);

const config = loadConfig({
  CLICKWIRE_DATA_DIR: dir,
  CLICKWIRE_API_PORT: '0',
  CLICKWIRE_BOOTSTRAP_API_KEY: API_KEY,
  CLICKWIRE_LOG_LEVEL: 'silent',
  CLICKWIRE_API_RATE_LIMIT_RAW: '1000000',
});
const running = await startClickwire(config, { role: 'api', logger: createLogger('silent') });
const url = `http://127.0.0.1:${running.api!.port}/v1/exports/clicks?include_bots=true`;

const lines = [
  '## Export in constant memory (`npm run bench:export`)',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}: ` +
    `\`GET /v1/exports/clicks\` of ${total.toLocaleString('en')} stored clicks, read to the end by a client that ` +
    'discards them; the baseline is the RSS of the same process at 10 % of the export.',
  '',
];
for (const format of ['ndjson', 'csv'] as const) {
  global.gc?.();
  const marks = [0.1, 0.5, 1].map((share) => Math.max(1, Math.floor(total * share)));
  const rss: number[] = [];
  const began = performance.now();
  const response = await request(`${url}&format=${format}`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  let rows = format === 'csv' ? -1 : 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      rows++;
      if (rows === marks[rss.length]) rss.push(process.memoryUsage().rss);
    }
  }
  const seconds = (performance.now() - began) / 1000;
  const base = rss[0] ?? 1;
  lines.push(
    `- ${format}: ${rows.toLocaleString('en')} rows, ${Math.round(rows / seconds).toLocaleString('en')} rows/s; ` +
      `RSS at 10/50/100 %: ${rss.map((r) => (r / base).toFixed(2)).join(' / ')} × the RSS at 10 % ` +
      `(${(base / 1_048_576).toFixed(0)} MB)`,
  );
}
lines.push('', 'Reproduce: `npm run bench:export`');
console.log(lines.join('\n'));
writePerformanceSection('bench:export', lines.join('\n'));
await running.stop();
if (args.keep) console.log(`kept ${dir}`);
else fs.rmSync(dir, { recursive: true, force: true });

function aClick(i: number): ProcessedClick {
  const at = start + i;
  return {
    clickId: newId('click', at),
    workspaceId,
    linkId: `lnk_${String(i % 1000).padStart(26, '0')}`,
    domainId: null,
    slug: `l${i % 1000}`,
    campaignId: null,
    occurredAt: at,
    receivedAt: at,
    processedAt: at + 5,
    method: 'GET',
    redirectStatus: 'success',
    blockReason: null,
    ipHash: (i * 2_654_435_761).toString(16).padStart(32, '0').slice(0, 32),
    ipPrefix: '203.0.113.0/24',
    country: 'DE',
    region: null,
    asn: 3320,
    deviceType: 'desktop',
    osFamily: 'Windows',
    browserFamily: 'Chrome',
    referrerCategory: 'direct',
    referrerHost: null,
    language: 'de',
    isUnique: i % 3 === 0,
    uniquenessRule: 'link_visitor_24h',
    trafficClass: 'human',
    isBot: false,
    botScore: 0.02,
    isSuspicious: false,
    fraudReason: null,
    reasons: [],
    privacyMode: PRIVACY_MODE,
    simulated: false,
  };
}
