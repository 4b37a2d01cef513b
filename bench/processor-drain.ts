/**
 * Processor throughput on a backlog: appends N raw clicks straight to the click log, then times how
 * fast one processor turns them into stored clicks, rollups and events.
 * Run: npx tsx bench/processor-drain.ts [--clicks 50000]
 */
import { parseArgs } from 'node:util';
import { openEmbeddedBackend } from '../src/adapters/sqlite/embedded-backend.js';
import type { RawClick } from '../src/click-log/raw-click.js';
import { systemClock } from '../src/kernel/clock.js';
import { newId } from '../src/kernel/ids.js';
import { createLogger } from '../src/kernel/logger.js';
import { DailySalts } from '../src/privacy/daily-salts.js';
import { ClickProcessor } from '../src/processing/click-processor.js';
import { ReferenceData } from '../src/processing/reference-data.js';
import { TenancyService } from '../src/tenancy/tenancy-service.js';
import { makeTempDir } from '../test/support/temp-dir.js';

const { values } = parseArgs({
  options: { clicks: { type: 'string', default: '50000' }, batch: { type: 'string', default: '500' } },
});
const total = Number(values.clicks);

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];

const temp = makeTempDir('clickwire-bench-');
const backend = await openEmbeddedBackend({
  dataDir: temp.dir,
  captureDurability: 'process',
  captureMaxBatch: 1000,
});
try {
  const tenancy = new TenancyService({
    workspaces: backend.workspaces,
    apiKeys: backend.apiKeys,
    clock: systemClock,
  });
  const { workspace } = await tenancy.bootstrap(null);
  const start = Date.now() - total; // one click per ms of history
  const appends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const click: RawClick = {
      clickId: newId('click'),
      occurredAt: start + i,
      workspaceId: workspace.workspaceId,
      linkId: null,
      domainId: null,
      slug: `s${i % 50}`,
      method: 'GET',
      redirectStatus: 'not_found',
      blockReason: null,
      headers: {
        'user-agent': USER_AGENTS[i % USER_AGENTS.length]!,
        'accept-language': 'en-US,en;q=0.9',
        accept: 'text/html',
      },
      ipHash: (i % 5000).toString(16).padStart(32, '0'),
      ipPrefix: `10.${(i >> 8) & 255}.${i & 255}.0/24`,
      country: 'DE',
      asn: 3320,
      asnOrg: 'Deutsche Telekom AG',
    };
    appends.push(backend.clickLog.append(click));
    if (appends.length >= 1000) await Promise.all(appends.splice(0));
  }
  await Promise.all(appends);

  const processor = new ClickProcessor(
    {
      clickLog: backend.clickLog,
      store: backend.processing,
      reference: new ReferenceData(backend, systemClock, null),
      salts: new DailySalts(backend.ipSalts, systemClock),
      clock: systemClock,
      logger: createLogger('warn'),
    },
    {
      consumer: 'bench',
      batchSize: Number(values.batch),
      idlePollMs: 5,
      burstWindowMs: 20_000,
      defaultDomainIsHttps: false,
    },
  );
  const t0 = performance.now();
  let done = 0;
  while (done < total) done += await processor.processBatch();
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `processed ${done} clicks in ${seconds.toFixed(2)} s: ${Math.round(done / seconds)} clicks/s (batch ${values.batch})`,
  );
} finally {
  await backend.close();
  temp.remove();
}
