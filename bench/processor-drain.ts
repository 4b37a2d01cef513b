/**
 * `npm run bench:processor`: processor throughput on a backlog. Appends N raw clicks on real links
 * (a mix of browsers, phones and bots from a few thousand visitors) straight to the click log, then
 * times how fast one processor turns them into stored clicks, rollups and events — classification,
 * uniqueness, enrichment and the store commit included.
 *
 * Baseline, measured in the same run on the same kind of files: the bare cost of moving the same
 * raw clicks from the log into a store table — read a batch, insert each row as it is into a table
 * keyed by click id, one transaction per batch — with no processing at all. The ratio says what
 * the processing costs on top of the I/O any processor must do; the absolute figure is what issue 3
 * targets (≥ 20,000 clicks/s on the 2-core machine).
 *
 * Run: npm run bench:processor [-- --clicks 50000 --batch 500 --rounds 3]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openEmbeddedBackend } from '../src/adapters/sqlite/embedded-backend.js';
import type { RawClick } from '../src/click-log/raw-click.js';
import { systemClock } from '../src/kernel/clock.js';
import { newId } from '../src/kernel/ids.js';
import { createLogger } from '../src/kernel/logger.js';
import { LinkService } from '../src/links/link-service.js';
import { DailySalts } from '../src/privacy/daily-salts.js';
import { ClickProcessor } from '../src/processing/click-processor.js';
import { ReferenceData } from '../src/processing/reference-data.js';
import { PROCESSOR_PIPELINE_DEPTH } from '../src/roles/processor.js';
import { TenancyService } from '../src/tenancy/tenancy-service.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { writePerformanceSection } from './support/performance-doc.js';

const { values } = parseArgs({
  options: {
    clicks: { type: 'string', default: '50000' },
    batch: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '3' },
    'skip-docs': { type: 'boolean', default: false },
  },
});
const total = Number(values.clicks);
const batchSize = Number(values.batch);
const rounds = Number(values.rounds);
const TARGET = 20_000;
const LINKS = 200;
const VISITORS = 5_000;

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const REFERRERS = ['https://www.google.com/', 'https://t.co/', 'https://news.ycombinator.com/', ''];

/**
 * A fresh store with links, and `total` raw clicks on them waiting in its click log. Opened as the
 * processor role opens it: checkpoints and batch commits on threads of their own.
 */
async function backlog() {
  const temp = makeTempDir('clickwire-bench-');
  const backend = await openEmbeddedBackend({
    dataDir: temp.dir,
    captureDurability: 'process',
    captureMaxBatch: 1000,
    storeCheckpoints: 'background',
    processorCommits: 'thread',
  });
  const tenancy = new TenancyService({
    workspaces: backend.workspaces,
    apiKeys: backend.apiKeys,
    clock: systemClock,
  });
  const { workspace } = await tenancy.bootstrap(null);
  const links = new LinkService({
    links: backend.links,
    domains: backend.domains,
    clock: systemClock,
    defaultShortUrlBase: 'https://clk.example.test',
    onLinkChanged: () => undefined,
  });
  const linkIds: string[] = [];
  for (let i = 0; i < LINKS; i++) {
    const link = await links.create(workspace.workspaceId, {
      destinationUrl: `https://example.com/p/${i}`,
      alias: `bench-${i}`,
      campaignId: `c${i % 10}`,
      tags: ['bench'],
    });
    linkIds.push(link.link_id);
  }
  const start = Date.now() - total; // one click per ms of history
  const appends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const visitor = (i * 7919) % VISITORS;
    const referer = REFERRERS[i % REFERRERS.length]!;
    const click: RawClick = {
      clickId: newId('click'),
      occurredAt: start + i,
      workspaceId: workspace.workspaceId,
      linkId: linkIds[(i * 31) % LINKS]!,
      domainId: null,
      slug: `bench-${(i * 31) % LINKS}`,
      method: 'GET',
      redirectStatus: 'success',
      blockReason: null,
      headers: {
        'user-agent': USER_AGENTS[visitor % USER_AGENTS.length]!,
        'accept-language': 'en-US,en;q=0.9',
        accept: 'text/html,application/xhtml+xml',
        ...(referer ? { referer } : {}),
      },
      ipHash: visitor.toString(16).padStart(32, '0'),
      ipPrefix: `10.${(visitor >> 8) & 255}.${visitor & 255}.0/24`,
      country: visitor % 3 === 0 ? 'US' : 'DE',
      asn: 3320,
      asnOrg: 'Deutsche Telekom AG',
    };
    appends.push(backend.clickLog.append(click));
    if (appends.length >= 1000) await Promise.all(appends.splice(0));
  }
  await Promise.all(appends);
  return { temp, backend };
}

/** CPU µs per click of each processor round. */
const processorCpuUs: number[] = [];

/** Clicks per second of one processor draining the backlog. */
async function processorRound(): Promise<number> {
  const { temp, backend } = await backlog();
  try {
    const processor = new ClickProcessor(
      {
        clickLog: backend.clickLog,
        store: backend.processing,
        reference: new ReferenceData(backend, systemClock, 'clk.example.test'),
        salts: new DailySalts(backend.ipSalts, systemClock),
        clock: systemClock,
        logger: createLogger('warn'),
      },
      {
        consumer: 'bench',
        batchSize,
        idlePollMs: 5,
        burstWindowMs: 20_000,
        defaultDomainIsHttps: true,
        pipelineDepth: PROCESSOR_PIPELINE_DEPTH,
      },
    );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let done = 0;
    while (done < total) done += await processor.processBatch();
    const rate = done / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    // CPU time per click (every thread of the process): steadier than clicks/s on a shared machine.
    processorCpuUs.push((cpu.user + cpu.system) / done);
    return rate;
  } finally {
    await backend.close();
    temp.remove();
  }
}

/** Clicks per second of the bare move: read the log in batches, insert each row as is, commit. */
async function baselineRound(): Promise<number> {
  const { temp, backend } = await backlog();
  await backend.close();
  try {
    const log = new Database(path.join(temp.dir, 'clicklog.db'), { readonly: true });
    const store = new Database(path.join(temp.dir, 'baseline.db'));
    store.pragma('journal_mode = WAL');
    store.pragma('synchronous = NORMAL');
    store.exec(
      'CREATE TABLE moved (click_id TEXT PRIMARY KEY, workspace_id TEXT, link_id TEXT, occurred_at INTEGER, headers TEXT, ip_hash TEXT)',
    );
    const read = log.prepare('SELECT * FROM raw_clicks WHERE position > ? ORDER BY position LIMIT ?');
    const insert = store.prepare(
      'INSERT INTO moved VALUES (@click_id, @workspace_id, @link_id, @occurred_at, @headers, @ip_hash) ON CONFLICT DO NOTHING',
    );
    const move = store.transaction((rows: Record<string, unknown>[]) => {
      for (const row of rows) insert.run(row);
    });
    const t0 = performance.now();
    let position = 0;
    let done = 0;
    for (;;) {
      const rows = read.all(position, batchSize) as (Record<string, unknown> & { position: number })[];
      if (rows.length === 0) break;
      move.immediate(rows);
      position = rows.at(-1)!.position;
      done += rows.length;
      // The processor yields to the event loop between batches; so does the baseline.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const rate = done / ((performance.now() - t0) / 1000);
    log.close();
    store.close();
    return rate;
  } finally {
    temp.remove();
  }
}

const median = (figures: number[]) => [...figures].sort((a, b) => a - b)[Math.floor(figures.length / 2)]!;

// Alternating rounds, so drift on a shared machine hits both sides alike.
const processorRates: number[] = [];
const baselineRates: number[] = [];
for (let round = 0; round < rounds; round++) {
  baselineRates.push(await baselineRound());
  processorRates.push(await processorRound());
  console.log(
    `round ${round + 1}: baseline ${Math.round(baselineRates.at(-1)!)} clicks/s, processor ${Math.round(processorRates.at(-1)!)} clicks/s (${processorCpuUs.at(-1)!.toFixed(1)} µs CPU/click)`,
  );
}
const processor = median(processorRates);
const baseline = median(baselineRates);
const body = [
  '## Processor on a backlog (`npm run bench:processor`)',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}: ${total.toLocaleString('en')} raw clicks on ${LINKS} links from ${VISITORS.toLocaleString('en')} visitors (browsers, phones, bots), batches of ${batchSize}, median of ${rounds} alternating rounds.`,
  '',
  '| | clicks/s | vs baseline |',
  '|---|---:|---:|',
  `| baseline: bare move log → store table (read, insert as is, commit per batch) | ${Math.round(baseline).toLocaleString('en')} | 1.00× |`,
  `| processor: classify, dedupe, enrich, store clicks + rollups + events + cursor | ${Math.round(processor).toLocaleString('en')} | ${(processor / baseline).toFixed(2)}× |`,
  '',
  `Target ≥ ${TARGET.toLocaleString('en')} clicks/s: **${processor >= TARGET ? 'met' : 'not met'}**.`,
  '',
  'Reproduce: `npm run bench:processor`',
].join('\n');
console.log(`\n${body}\n`);
if (!values['skip-docs']) writePerformanceSection('bench:processor', body);
