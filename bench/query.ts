/**
 * Query API benchmark: seeds a store with N clicks (rollups included), starts the API on it and
 * measures request latency, one request at a time, against a bare HTTP round trip to the same
 * server (`GET /healthz`) measured beside it.
 *
 *   npm run bench:query -- [--clicks 10000000] [--samples 300] [--deep-pages 1000] [--skip-docs] [--keep]
 *
 * - Seeding writes the SQLite store directly with prepared statements, in transactions of an hour
 *   of clicks each: the same row mapping and rollup upsert as the processor (so the triggers behind
 *   `click_hourly_totals` run as in production), clicks in time order over 90 days with a daily and
 *   weekly rhythm and growth, links by a Zipf law, countries, devices, referrers and traffic classes
 *   weighted roughly as link traffic looks. 5% of the clicks belong to a second workspace. Events are
 *   not seeded (nothing here reads them).
 * - Scenarios (targets: p99 ≤ 20 ms each): the first page of 100 clicks; a deep page (cursors
 *   followed `--deep-pages` pages in, then pages fetched from the deepest cursors); a filtered page
 *   (campaign + country + device); a 90-day daily aggregate in Europe/Berlin. Further rows (one
 *   link, a tag, a campaign's 90-day series, 30 days by country) are shown without a target.
 * - The data lives in a temporary directory, removed at the end (`--keep` keeps it and prints where).
 * - The figures are printed and written to docs/performance.md between the bench:query markers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { clickToRow } from '../src/adapters/sql/sql-processing-store.js';
import { openEmbeddedBackend, STORE_FILE } from '../src/adapters/sqlite/embedded-backend.js';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/kernel/clock.js';
import { newId } from '../src/kernel/ids.js';
import { createLogger } from '../src/kernel/logger.js';
import { LinkService } from '../src/links/link-service.js';
import { startClickwire } from '../src/main.js';
import type { TrafficClass } from '../src/processing/classification/traffic-class.js';
import type { DeviceType, ReferrerCategory } from '../src/processing/enrichment/enrichment.js';
import { PRIVACY_MODE, type ProcessedClick } from '../src/processing/processed-click.js';
import { TenancyService } from '../src/tenancy/tenancy-service.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC_FILE = path.join(ROOT, 'docs', 'performance.md');
const DOC_START = '<!-- bench:query:start -->';
const DOC_END = '<!-- bench:query:end -->';
const API_KEY = 'cw_live_bench_query_0123456789abcdef0123456789';
const TARGET_P99_MS = 20;
const HOUR = 3_600_000;
const DAYS = 90;
const LINKS = 1_000;
const OTHER_LINKS = 100;
const CAMPAIGNS = 40;

const { values: args } = parseArgs({
  options: {
    clicks: { type: 'string', default: '10000000' },
    samples: { type: 'string', default: '300' },
    'deep-pages': { type: 'string', default: '1000' },
    'skip-docs': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}
const TOTAL = positive('clicks');
const SAMPLES = positive('samples');
const DEEP_PAGES = positive('deep-pages');

function positive(name: 'clicks' | 'samples' | 'deep-pages'): number {
  const value = Number(String(args[name]).replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`--${name} must be a positive whole number`);
    process.exit(2);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Distributions

/** Picks from weighted choices with one uniform number. */
function weighted<T>(choices: readonly (readonly [T, number])[]): () => T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const [, weight] of choices) {
    sum += weight / total;
    cumulative.push(sum);
  }
  return () => {
    const r = Math.random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return choices[lo]![0];
  };
}

const country = weighted<string | null>([
  ['US', 28],
  ['DE', 10],
  ['GB', 8],
  ['FR', 6],
  ['IN', 6],
  ['BR', 5],
  ['CA', 4],
  ['ES', 3],
  ['IT', 3],
  ['NL', 3],
  ['JP', 3],
  ['AU', 2],
  ['MX', 2],
  ['PL', 2],
  ['SE', 1.5],
  ['TR', 1.5],
  ['CH', 1],
  ['AT', 1],
  ['BE', 1],
  ['IE', 1],
  ['PT', 1],
  ['DK', 0.8],
  ['NO', 0.8],
  ['FI', 0.6],
  ['AR', 0.8],
  ['CO', 0.6],
  ['ZA', 0.6],
  ['NG', 0.5],
  ['KR', 0.8],
  ['SG', 0.5],
  [null, 2],
]);
const referrer = weighted<ReferrerCategory>([
  ['direct', 40],
  ['social', 25],
  ['email', 15],
  ['search', 12],
  ['other', 6],
  ['internal', 2],
]);
const trafficClass = weighted<TrafficClass>([
  ['human', 82],
  ['bot', 8],
  ['link_preview', 5],
  ['prefetch', 3],
  ['security_scanner', 2],
]);
const humanDevice = weighted<DeviceType>([
  ['mobile', 55],
  ['desktop', 40],
  ['tablet', 4],
  ['unknown', 1],
]);
const SOFTWARE: Record<DeviceType, readonly [string | null, string | null]> = {
  mobile: ['iOS', 'Mobile Safari'],
  desktop: ['Windows', 'Chrome'],
  tablet: ['iOS', 'Safari'],
  bot: [null, null],
  unknown: [null, null],
};
const LANGUAGE: Record<string, string> = {
  DE: 'de',
  FR: 'fr',
  ES: 'es',
  IT: 'it',
  BR: 'pt',
  JP: 'ja',
  NL: 'nl',
};

/** Link popularity by Zipf's law (s = 1.05): a few links get most clicks. */
function zipf(n: number): () => number {
  return weighted(Array.from({ length: n }, (_, i) => [i, 1 / (i + 1) ** 1.05] as const));
}

/** Clicks per hour over the 90 days: a daily rhythm, quieter weekends, growth over the period. */
function clicksPerHour(total: number, start: number): number[] {
  const hours = DAYS * 24;
  const weights = Array.from({ length: hours }, (_, h) => {
    const at = new Date(start + h * HOUR);
    const daily = 1 + 0.6 * Math.sin((2 * Math.PI * (at.getUTCHours() - 9)) / 24);
    const weekly = at.getUTCDay() === 0 || at.getUTCDay() === 6 ? 0.75 : 1;
    return daily * weekly * (0.7 + (0.6 * h) / hours);
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  let placed = 0;
  return weights.map((weight) => {
    cumulative += (weight / sum) * total;
    const upTo = Math.round(cumulative);
    const count = upTo - placed;
    placed = upTo;
    return count;
  });
}

// ---------------------------------------------------------------------------------------------
// Seeding

/** The clicks table's columns in the order the seeder binds them; checked against the processor's row mapping. */
const CLICK_COLUMNS = [
  'click_id',
  'workspace_id',
  'link_id',
  'domain_id',
  'slug',
  'campaign_id',
  'occurred_at',
  'received_at',
  'processed_at',
  'method',
  'redirect_status',
  'block_reason',
  'ip_hash',
  'ip_prefix',
  'country',
  'region',
  'asn',
  'device_type',
  'os_family',
  'browser_family',
  'referrer_category',
  'referrer_host',
  'language',
  'is_unique',
  'uniqueness_rule',
  'traffic_class',
  'bot_score',
  'is_suspicious',
  'fraud_reason',
  'reasons',
  'privacy_mode',
  'simulated',
] as const;

/** Fails loudly if the clicks table gained or lost a column the seeder does not know. */
function checkClickColumns(): void {
  const sample: ProcessedClick = {
    clickId: 'clk_x',
    workspaceId: 'ws_x',
    linkId: null,
    domainId: null,
    slug: 's',
    campaignId: null,
    occurredAt: 0,
    receivedAt: 0,
    processedAt: 0,
    method: 'GET',
    redirectStatus: 'success',
    blockReason: null,
    ipHash: '',
    ipPrefix: '',
    country: null,
    region: null,
    asn: null,
    deviceType: 'desktop',
    osFamily: null,
    browserFamily: null,
    referrerCategory: 'direct',
    referrerHost: null,
    language: null,
    isUnique: false,
    uniquenessRule: 'link_visitor_24h',
    trafficClass: 'human',
    isBot: false,
    botScore: 0,
    isSuspicious: false,
    fraudReason: null,
    reasons: [],
    privacyMode: PRIVACY_MODE,
    simulated: false,
  };
  const columns = Object.keys(clickToRow(sample));
  if (columns.join() !== CLICK_COLUMNS.join()) {
    throw new Error(
      `the clicks table's columns changed; update CLICK_COLUMNS in bench/query.ts: ${columns.join(', ')}`,
    );
  }
}

interface SeedResult {
  readonly dir: string;
  readonly seconds: number;
  readonly rollupCells: number;
  readonly bytes: number;
  readonly campaigns: string[];
  readonly popularLink: string;
  readonly tag: string;
}

async function seed(dir: string): Promise<SeedResult> {
  checkClickColumns();
  const started = performance.now();
  const backend = await openEmbeddedBackend({
    dataDir: dir,
    captureDurability: 'process',
    captureMaxBatch: 1000,
  });
  const clock = systemClock;
  const tenancy = new TenancyService({ workspaces: backend.workspaces, apiKeys: backend.apiKeys, clock });
  const main = (await tenancy.bootstrap(API_KEY)).workspace.workspaceId;
  const other = (await tenancy.createWorkspace('Other')).workspace.workspaceId;
  const links = new LinkService({
    links: backend.links,
    domains: backend.domains,
    clock,
    defaultShortUrlBase: 'https://clk.example.test',
    onLinkChanged: () => undefined,
  });
  const campaigns = Array.from({ length: CAMPAIGNS }, (_, i) => `campaign-${i}`);
  interface SeedLink {
    readonly id: string;
    readonly campaign: string | null;
    readonly workspace: string;
  }
  const mainLinks: SeedLink[] = [];
  const otherLinks: SeedLink[] = [];
  for (let i = 0; i < LINKS + OTHER_LINKS; i++) {
    const inMain = i < LINKS;
    const workspace = inMain ? main : other;
    const campaign = i % 5 === 4 ? null : campaigns[i % CAMPAIGNS]!;
    // Tags: a channel on every link, and `launch` on five of the popular ones.
    const tags = [
      ['newsletter', 'social', 'ads', 'partners'][i % 4]!,
      ...(inMain && i % 7 === 3 && i < 40 ? ['launch'] : []),
    ];
    const link = await links.create(workspace, {
      destinationUrl: `https://example.com/${i}`,
      alias: `l${i}`,
      ...(campaign === null ? {} : { campaignId: campaign }),
      tags,
    });
    (inMain ? mainLinks : otherLinks).push({ id: link.link_id, campaign, workspace });
  }
  await closeKeepingAlive(backend.close());

  const db = new Database(path.join(dir, STORE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  // Bulk load: the clicks' secondary indexes are dropped and built again at the end (a sort is
  // faster than millions of insertions); their definitions come from the store itself.
  const clickIndexes = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clicks' AND sql IS NOT NULL",
    )
    .all() as { name: string; sql: string }[];
  for (const index of clickIndexes) db.exec(`DROP INDEX ${index.name}`);
  const insertClick = db.prepare(
    `INSERT INTO clicks (${CLICK_COLUMNS.join(', ')}) VALUES (${CLICK_COLUMNS.map(() => '?').join(', ')})`,
  );
  // The processor's rollup upsert: the triggers that keep click_hourly_totals run as in production.
  const upsertRollup = db.prepare(
    `INSERT INTO click_rollups (workspace_id, link_id, hour, country, device_type, referrer_category,
       traffic_class, is_unique, clicks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (workspace_id, hour, link_id, country, device_type, referrer_category, traffic_class, is_unique)
     DO UPDATE SET clicks = clicks + excluded.clicks`,
  );
  const cursor = db.prepare(
    `INSERT INTO consumer_cursors (consumer, position, updated_at) VALUES ('processor', ?, ?)
     ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  );

  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const start = end - DAYS * 24 * HOUR;
  const perHour = clicksPerHour(TOTAL, start);
  const mainLink = zipf(LINKS);
  const otherLink = zipf(OTHER_LINKS);
  let written = 0;
  const progress = new Progress(TOTAL);

  const writeHour = db.transaction((hourStart: number, count: number) => {
    const offsets = Array.from({ length: count }, () => Math.floor(Math.random() * HOUR)).sort(
      (a, b) => a - b,
    );
    const cells = new Map<string, number>();
    for (const offset of offsets) {
      const occurredAt = hourStart + offset;
      const link = Math.random() < 0.05 ? otherLinks[otherLink()]! : mainLinks[mainLink()]!;
      const kind = trafficClass();
      const human = kind === 'human';
      const deviceType: DeviceType = human ? humanDevice() : kind === 'prefetch' ? 'desktop' : 'bot';
      const [osFamily, browserFamily] = SOFTWARE[deviceType];
      const where = country();
      const source = referrer();
      const unique = human && Math.random() < 0.65 ? 1 : 0;
      const visitor = Math.floor(Math.random() * 3_000_000);
      // In CLICK_COLUMNS order.
      insertClick.run(
        newId('click', occurredAt),
        link.workspace,
        link.id,
        null,
        'l',
        link.campaign,
        occurredAt,
        occurredAt,
        occurredAt + 3,
        'GET',
        'success',
        null,
        visitor.toString(16).padStart(32, '0'),
        `10.${visitor >> 16}.${(visitor >> 8) & 255}.0/24`,
        where,
        null,
        3320,
        deviceType,
        osFamily,
        browserFamily,
        source,
        null,
        (where && LANGUAGE[where]) ?? 'en',
        unique,
        'link_visitor_24h',
        kind,
        human ? 0.05 : 0.9,
        Math.random() < 0.03 ? 1 : 0,
        null,
        '[]',
        PRIVACY_MODE,
        0,
      );
      const cell = `${link.workspace}\u0000${link.id}\u0000${where ?? ''}\u0000${deviceType}\u0000${source}\u0000${kind}\u0000${unique}`;
      cells.set(cell, (cells.get(cell) ?? 0) + 1);
    }
    for (const [cell, clicks] of cells) {
      const [workspace, linkId, where, deviceType, source, kind, unique] = cell.split('\u0000');
      upsertRollup.run(workspace, linkId, hourStart, where, deviceType, source, kind, Number(unique), clicks);
    }
    written += count;
    cursor.run(written, Date.now());
  });
  perHour.forEach((count, h) => {
    writeHour(start + h * HOUR, count);
    progress.update(written);
  });
  progress.done();
  const indexing = performance.now();
  for (const index of clickIndexes) db.exec(index.sql);
  console.error(
    `built ${clickIndexes.length} click indexes in ${((performance.now() - indexing) / 1000).toFixed(1)} s`,
  );
  db.pragma('wal_checkpoint(TRUNCATE)');
  const rollupCells = (db.prepare('SELECT count(*) AS n FROM click_rollups').get() as { n: number }).n;
  db.close();
  const bytes = fs.statSync(path.join(dir, STORE_FILE)).size;
  return {
    dir,
    seconds: (performance.now() - started) / 1000,
    rollupCells,
    bytes,
    campaigns: campaigns.slice(0, 10),
    popularLink: mainLinks[3]!.id,
    tag: 'launch',
  };
}

/**
 * Awaits a close that waits for an unref'd worker (the click log's WAL checkpointer): with nothing
 * else pending, Node would otherwise end the script mid-await.
 */
async function closeKeepingAlive(closing: Promise<void>): Promise<void> {
  const alive = setInterval(() => undefined, 1000);
  try {
    await closing;
  } finally {
    clearInterval(alive);
  }
}

/** A progress bar on stderr: done, rate and time left. */
class Progress {
  private readonly started = performance.now();
  private last = 0;
  constructor(private readonly total: number) {}

  update(done: number): void {
    const now = performance.now();
    if (now - this.last < 200 && done < this.total) return;
    this.last = now;
    const fraction = done / this.total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const rate = done / ((now - this.started) / 1000);
    const left = rate > 0 ? (this.total - done) / rate : 0;
    process.stderr.write(
      `\rseeding [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}% ` +
        `${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} clicks, ` +
        `${Math.round(rate).toLocaleString('en-US')}/s, ${Math.ceil(left)} s left   `,
    );
  }

  done(): void {
    this.update(this.total);
    process.stderr.write('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Figures {
  readonly name: string;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
  readonly target: boolean;
  readonly note: string;
}

async function measure(seeded: SeedResult): Promise<{ rows: Figures[]; walk: string }> {
  const config = loadConfig({
    CLICKWIRE_DATA_DIR: seeded.dir,
    CLICKWIRE_API_PORT: '0',
    CLICKWIRE_EDGE_PORT: '0',
    CLICKWIRE_BOOTSTRAP_API_KEY: API_KEY,
    CLICKWIRE_LOG_LEVEL: 'warn',
    // Measuring queries, not rate limits: one key sends every sample.
    CLICKWIRE_API_RATE_LIMIT_RAW: '1000000',
    CLICKWIRE_API_RATE_LIMIT_AGGREGATE: '1000000',
  });
  const running = await startClickwire(config, { role: 'api', logger: createLogger('warn') });
  const pool = new Pool(`http://127.0.0.1:${running.api!.port}`, { connections: 1 });
  const get = async (url: string): Promise<{ ms: number; body: unknown }> => {
    const t0 = performance.now();
    const response = await pool.request({
      method: 'GET',
      path: url,
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const text = await response.body.text();
    const ms = performance.now() - t0;
    if (response.statusCode !== 200)
      throw new Error(`${url} answered ${response.statusCode}: ${text.slice(0, 300)}`);
    return { ms, body: JSON.parse(text) as unknown };
  };
  const time = async (
    name: string,
    urls: readonly string[],
    options: { samples?: number; target?: boolean; note?: string; check?: (body: unknown) => void } = {},
  ): Promise<Figures> => {
    const samples = options.samples ?? SAMPLES;
    for (let i = 0; i < Math.min(20, Math.ceil(samples / 5)); i++) await get(urls[i % urls.length]!);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const { ms, body } = await get(urls[i % urls.length]!);
      if (i === 0) options.check?.(body);
      times.push(ms);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
    const figures = {
      name,
      p50: at(0.5),
      p99: at(0.99),
      max: times.at(-1)!,
      samples,
      target: options.target ?? false,
      note: options.note ?? '',
    };
    console.log(
      `${name.padEnd(52)} p50 ${figures.p50.toFixed(2).padStart(7)} ms   p99 ${figures.p99.toFixed(2).padStart(7)} ms   max ${figures.max.toFixed(2).padStart(7)} ms`,
    );
    return figures;
  };
  const fullPage = (body: unknown) => {
    const page = body as { data: unknown[] };
    if (page.data.length !== 100) throw new Error(`expected a full page of 100, got ${page.data.length}`);
  };

  try {
    const rows: Figures[] = [];
    rows.push(await time('baseline: GET /healthz (HTTP round trip, no store)', ['/healthz']));
    rows.push(
      await time('first page of 100 clicks', ['/v1/clicks?limit=100'], { target: true, check: fullPage }),
    );

    // Follow cursors deep into the newest-first walk, keeping the deepest ones.
    const walkStart = performance.now();
    let cursor: string | null = null;
    const deep: string[] = [];
    for (let page = 0; page < DEEP_PAGES; page++) {
      const { body } = await get(
        `/v1/clicks?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      cursor = (body as { next_cursor: string | null }).next_cursor;
      if (cursor === null) break;
      if (page >= DEEP_PAGES - 100) deep.push(cursor);
    }
    const walkSeconds = (performance.now() - walkStart) / 1000;
    const walk = `followed ${DEEP_PAGES.toLocaleString('en-US')} pages (${(DEEP_PAGES * 100).toLocaleString('en-US')} clicks) in ${walkSeconds.toFixed(1)} s`;
    console.log(walk);
    rows.push(
      await time(
        `deep page (≥ ${((DEEP_PAGES - 100) * 100).toLocaleString('en-US')} clicks in)`,
        deep.map((c) => `/v1/clicks?limit=100&cursor=${encodeURIComponent(c)}`),
        { target: true, check: fullPage, note: walk },
      ),
    );
    rows.push(
      await time(
        'filtered page: campaign + country=US + device_type=mobile',
        seeded.campaigns.map((c) => `/v1/clicks?limit=100&campaign_id=${c}&country=US&device_type=mobile`),
        { target: true, check: fullPage },
      ),
    );
    const after = new Date(Math.floor(Date.now() / HOUR) * HOUR - DAYS * 24 * HOUR).toISOString();
    rows.push(
      await time(
        '90-day daily aggregate (Europe/Berlin)',
        [`/v1/analytics/clicks/daily?occurred_after=${after}&timezone=Europe/Berlin`],
        {
          target: true,
          check: (body) => {
            const days = (body as { data: unknown[] }).data.length;
            if (days < 90) throw new Error(`expected 90+ days, got ${days}`);
          },
        },
      ),
    );
    // Rows without a target get fewer samples: some read rollup cells by the million at 10 M clicks.
    const extras = Math.max(10, Math.floor(SAMPLES / 15));
    rows.push(
      await time('page of one popular link', [`/v1/clicks?limit=100&link_id=${seeded.popularLink}`], {
        samples: extras,
        check: fullPage,
      }),
    );
    rows.push(
      await time(
        `page of a tag on 5 links (\`tag=${seeded.tag}\`)`,
        [`/v1/clicks?limit=100&tag=${seeded.tag}`],
        {
          samples: extras,
          check: fullPage,
        },
      ),
    );
    rows.push(
      await time(
        '90-day daily aggregate of one campaign',
        seeded.campaigns.map((c) => `/v1/analytics/clicks/daily?occurred_after=${after}&campaign_id=${c}`),
        { samples: extras },
      ),
    );
    rows.push(
      await time('30 days by country (whole workspace)', ['/v1/analytics/clicks/by-country'], {
        samples: extras,
      }),
    );
    return { rows, walk };
  } finally {
    await pool.close();
    await closeKeepingAlive(running.stop());
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

function section(seeded: SeedResult, rows: readonly Figures[]): string {
  const baseline = rows[0]!;
  const targeted = rows.filter((row) => row.target);
  const met = targeted.every((row) => row.p99 <= TARGET_P99_MS);
  const fmt = (ms: number) => ms.toFixed(2);
  return [
    DOC_START,
    '## Query API on a large store (`npm run bench:query`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}.`,
    `Store: ${TOTAL.toLocaleString('en-US')} clicks over ${DAYS} days (95% in the measured workspace, ${LINKS.toLocaleString('en-US')} links by a Zipf law), ` +
      `${seeded.rollupCells.toLocaleString('en-US')} hourly rollup cells, ${(seeded.bytes / 1e9).toFixed(2)} GB; ` +
      `seeded in ${seeded.seconds.toFixed(0)} s (${Math.round(TOTAL / seeded.seconds).toLocaleString('en-US')} clicks/s).`,
    `Requests one at a time over one keep-alive connection to the API (role \`api\`, SQLite store) in the same process as the client; ` +
      `${SAMPLES} samples per targeted row after a warm-up, fewer for the others; JSON bodies read in full.`,
    '',
    '| request | p50 ms | p99 ms | max ms | p50 vs baseline | p99 vs baseline | target p99 ≤ 20 ms |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows.map((row) => {
      const target =
        row === baseline
          ? '—'
          : !row.target
            ? '(no target)'
            : row.p99 <= TARGET_P99_MS
              ? 'met'
              : '**not met**';
      const p50 = `${(row.p50 / baseline.p50).toFixed(1)}×`;
      const p99 = `${(row.p99 / baseline.p99).toFixed(1)}×`;
      return `| ${row.name} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${fmt(row.max)} | ${p50} | ${p99} | ${target} |`;
    }),
    '',
    `${rows.find((row) => row.note)?.note ?? ''}.`,
    '',
    'The rows without a target read `click_rollups` cell by cell (a campaign’s links, or every cell of the',
    'range), and the cells are nearly as many as the clicks (link × country × device × referrer × class ×',
    'uniqueness per hour); the workspace-wide series reads `click_hourly_totals`, one row per hour. See',
    '`docs/adr/2026-11-27-query-api.md`.',
    '',
    `Targets: ${met ? '**met**' : '**not met**'} (${targeted.filter((row) => row.p99 <= TARGET_P99_MS).length} of ${targeted.length}).`,
    '',
    'Reproduce:',
    '',
    '```sh',
    `npm run bench:query${TOTAL === 10_000_000 ? '' : ` -- --clicks ${TOTAL}`}`,
    '```',
    DOC_END,
  ].join('\n');
}

function writeDoc(text: string): void {
  fs.mkdirSync(path.dirname(DOC_FILE), { recursive: true });
  let doc = fs.existsSync(DOC_FILE) ? fs.readFileSync(DOC_FILE, 'utf8') : '# Performance\n';
  const start = doc.indexOf(DOC_START);
  const end = doc.indexOf(DOC_END);
  if (start !== -1 && end > start) doc = doc.slice(0, start) + text + doc.slice(end + DOC_END.length);
  else doc = `${doc.trimEnd()}\n\n${text}\n`;
  fs.writeFileSync(DOC_FILE, doc);
  console.log(`\nwrote ${path.relative(ROOT, DOC_FILE)} (section ${DOC_START})`);
}

// ---------------------------------------------------------------------------------------------

console.log(`bench:query — ${TOTAL.toLocaleString('en-US')} clicks on ${machine()}`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickwire-bench-query-'));
const removeDir = () => {
  if (args.keep) console.log(`kept the store in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
};
process.once('SIGINT', () => {
  removeDir();
  process.exit(130);
});
try {
  const seeded = await seed(dir);
  console.log(
    `seeded ${TOTAL.toLocaleString('en-US')} clicks in ${seeded.seconds.toFixed(1)} s, ${seeded.rollupCells.toLocaleString('en-US')} rollup cells, ${(seeded.bytes / 1e9).toFixed(2)} GB\n`,
  );
  const { rows } = await measure(seeded);
  const targeted = rows.filter((row) => row.target);
  const met = targeted.every((row) => row.p99 <= TARGET_P99_MS);
  console.log(
    `\ntarget p99 ≤ ${TARGET_P99_MS} ms: ${met ? 'met' : 'NOT met'} for ${targeted.filter((r) => r.p99 <= TARGET_P99_MS).length} of ${targeted.length}`,
  );
  if (!args['skip-docs']) writeDoc(section(seeded, rows));
} finally {
  removeDir();
}
