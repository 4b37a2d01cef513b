import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UndiciWebhookTransport } from '../../src/adapters/http/undici-webhook-transport.js';
import { openEmbeddedBackend } from '../../src/adapters/sqlite/embedded-backend.js';
import { loadConfig } from '../../src/config/config.js';
import { systemClock } from '../../src/kernel/clock.js';
import { createLogger } from '../../src/kernel/logger.js';
import { type RunningClickwire, startClickwire } from '../../src/main.js';
import { WebhookService } from '../../src/webhooks/webhook-service.js';
import { apiClient, click } from '../support/api-client.js';
import { makeTempDir } from '../support/temp-dir.js';
import { TEST_ADMIN_KEY } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/** Three visitors with known addresses and user agents, coming through a trusted proxy. */
const VISITORS = {
  erased: {
    ip: '198.51.100.23',
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  },
  kept: {
    ip: '203.0.113.77',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  },
  v6: {
    ip: '2001:db8:85a3::8a2e:370:7334',
    ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  },
} as const;

interface ClickView {
  click_id: string;
  ip_hash: string;
}

interface Receipt {
  erasure_request_id: string;
  status: string;
  finished_at: string | null;
  counts: Record<string, number>;
}

/** Every way a raw address could sit in a file: as text (UTF-8, UTF-16), base64, hex, and as bytes. */
function encodingsOf(ip: string): Buffer[] {
  const forms = [
    Buffer.from(ip, 'utf8'),
    Buffer.from(ip, 'utf16le'),
    Buffer.from(Buffer.from(ip).toString('base64').replace(/=+$/, '')),
    Buffer.from(Buffer.from(ip).toString('hex')),
  ];
  if (ip.includes('.')) forms.push(Buffer.from(ip.split('.').map(Number)));
  return forms;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The files under `dir` holding any of the needles. */
function filesContaining(dir: string, needles: readonly Buffer[]): string[] {
  return filesUnder(dir).filter((file) => {
    const bytes = fs.readFileSync(file);
    return needles.some((needle) => bytes.includes(needle));
  });
}

describe('privacy proof: no raw address on disk; an erasure reaches subscribers and leaves no trace', () => {
  let receiver: WebhookReceiver;
  let running: RunningClickwire | null;
  let temp: { dir: string; remove: () => void };
  let logFile: string;
  let api: ReturnType<typeof apiClient>;
  let edgeUrl: string;
  let linkId: string;
  const clicksByVisitor = new Map<string, ClickView[]>();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // The subscriber echoes what it was sent: the delivery log then holds the payload too.
    receiver.answer = (request) => ({ status: 200, body: request.body });
    temp = makeTempDir('clickwire-proof-');
    logFile = path.join(temp.dir, 'clickwire.log');
    const config = loadConfig({
      CLICKWIRE_DATA_DIR: temp.dir,
      CLICKWIRE_EDGE_PORT: '0',
      CLICKWIRE_API_PORT: '0',
      CLICKWIRE_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
      CLICKWIRE_LOG_LEVEL: 'warn',
      CLICKWIRE_TRUSTED_PROXIES: '127.0.0.1/32',
      CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    // The main thread logs everything it can, into the data directory, so the scan covers logs too.
    const logger = createLogger('trace', pino.destination({ dest: logFile, sync: true }));
    running = await startClickwire(config, { role: 'all', logger });
    api = apiClient(`http://127.0.0.1:${running.api!.port}`, TEST_ADMIN_KEY);
    edgeUrl = `http://127.0.0.1:${running.edge!.port}`;

    const link = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'proof' },
    });
    linkId = link.body.link_id;
    const backend = await openEmbeddedBackend({
      dataDir: temp.dir,
      captureDurability: 'process',
      captureMaxBatch: 10,
    });
    const transport = new UndiciWebhookTransport({ allowPrivateAddresses: true, maxResponseBytes: 65_536 });
    try {
      await new WebhookService(
        {
          subscriptions: backend.subscriptions,
          deliveries: backend.deliveries,
          log: backend.deliveryLog,
          transport,
          clock: systemClock,
        },
        { retryScheduleMs: [1_000], timeoutMs: 5_000, allowPrivateAddresses: true },
      ).createSubscription(running.defaultWorkspaceId, {
        url: receiver.url(),
        eventTypes: ['click.created', 'click.deleted'],
      });
    } finally {
      await transport.close();
      await backend.close();
    }

    for (const [name, visitor] of Object.entries(VISITORS)) {
      for (let i = 0; i < 2; i++) {
        const answer = await click(edgeUrl, '/proof', {
          headers: {
            'user-agent': visitor.ua,
            accept: 'text/html',
            'x-forwarded-for': visitor.ip,
            'sec-fetch-site': 'cross-site',
            'sec-fetch-mode': 'navigate',
            'sec-fetch-dest': 'document',
          },
        });
        expect(answer.status, name).toBe(302);
      }
    }
    await receiver.waitFor(6);
    const all = await api<{ data: (ClickView & { ip_hash: string })[] }>(
      'GET',
      `/v1/clicks?link_id=${linkId}&include_bots=true&order=asc`,
    );
    expect(all.body.data).toHaveLength(6);
    // Clicks come in visitor order, two each.
    Object.keys(VISITORS).forEach((name, i) => {
      clicksByVisitor.set(name, all.body.data.slice(2 * i, 2 * i + 2));
    });
  });

  afterAll(async () => {
    await running?.stop();
    await receiver.close();
    temp.remove();
  });

  async function totalClicks(): Promise<number> {
    const answer = await api<{ totals: { clicks: number } }>(
      'GET',
      `/v1/analytics/clicks/hourly?link_id=${linkId}&include_bots=true`,
    );
    return answer.body.totals.clicks;
  }

  it('keeps one hash per visitor and day, and never the address', async () => {
    const erased = clicksByVisitor.get('erased')!;
    expect(erased[0]!.ip_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(erased[0]!.ip_hash).toBe(erased[1]!.ip_hash);
    expect(clicksByVisitor.get('kept')![0]!.ip_hash).not.toBe(erased[0]!.ip_hash);
    const needles = Object.values(VISITORS).flatMap((v) => encodingsOf(v.ip));
    expect(filesContaining(temp.dir, needles)).toEqual([]);
  });

  it('erases a visitor: receipt, click.deleted to the subscriber, rollups corrected, payloads purged', async () => {
    const erased = clicksByVisitor.get('erased')!.map((c) => c.click_id);
    expect(await totalClicks()).toBe(6);

    const body = { visitor: { ip: VISITORS.erased.ip } };
    const first = await api<Receipt>('POST', '/v1/privacy/erasure-requests', { body });
    expect(first.status).toBe(202);
    const again = await api<Receipt>('POST', '/v1/privacy/erasure-requests', { body });
    expect(again.status).toBe(200);
    expect(again.body.erasure_request_id).toBe(first.body.erasure_request_id);

    let receipt: Receipt;
    for (;;) {
      receipt = (await api<Receipt>('GET', `/v1/privacy/erasure-requests/${first.body.erasure_request_id}`))
        .body;
      if (receipt.status === 'completed' || receipt.status === 'failed') break;
      await sleep(20);
    }
    expect(receipt.status).toBe('completed');
    expect(receipt.finished_at).not.toBeNull();
    expect(receipt.counts).toMatchObject({
      clicks_erased: 2,
      raw_clicks_erased: 2,
      events_purged: 2,
      rollup_clicks_subtracted: 2,
      salt_days: 1,
    });
    expect(receipt.counts.delivery_bodies_purged).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(receipt)).not.toContain(VISITORS.erased.ip);

    await receiver.waitFor(8);
    const deleted = receiver.requests
      .map(
        (request) =>
          JSON.parse(request.body) as { event_type: string; data: { click: { click_id: string } } },
      )
      .filter((event) => event.event_type === 'click.deleted');
    expect(deleted.map((event) => event.data.click.click_id).sort()).toEqual([...erased].sort());
    expect(JSON.stringify(deleted)).not.toContain(clicksByVisitor.get('erased')![0]!.ip_hash);

    expect(await totalClicks()).toBe(4);
    for (const id of erased) expect((await api('GET', `/v1/clicks/${id}`)).status).toBe(404);
    for (const kept of clicksByVisitor.get('kept')!)
      expect((await api('GET', `/v1/clicks/${kept.click_id}`)).status).toBe(200);

    const store = new Database(path.join(temp.dir, 'clickwire.db'), { readonly: true });
    try {
      const bodies = store
        .prepare('SELECT response_body FROM webhook_attempts WHERE response_body IS NOT NULL')
        .all() as { response_body: string }[];
      expect(bodies.length).toBeGreaterThan(0); // the kept visitors' deliveries are still logged
      // What is left naming an erased click is its click.deleted (which carries nothing of the visitor).
      const created = bodies.filter((row) => row.response_body.includes('"click.created"'));
      for (const id of erased) expect(created.some((row) => row.response_body.includes(id))).toBe(false);
      const erasedHash = clicksByVisitor.get('erased')![0]!.ip_hash;
      expect(bodies.some((row) => row.response_body.includes(erasedHash))).toBe(false);
    } finally {
      store.close();
    }
  });

  it('leaves no trace of the erased visitor’s hash in any file once stopped, while the others’ remain', async () => {
    const erasedHash = clicksByVisitor.get('erased')![0]!.ip_hash;
    const keptHash = clicksByVisitor.get('kept')![0]!.ip_hash;
    await running!.stop();
    running = null;
    const files = filesUnder(temp.dir);
    expect(files.map((file) => path.basename(file))).toEqual(
      expect.arrayContaining(['clickwire.db', 'clicklog.db', 'clickwire.log']),
    );
    expect(filesContaining(temp.dir, [Buffer.from(erasedHash), Buffer.from(erasedHash, 'utf16le')])).toEqual(
      [],
    );
    // The scan does find what is there: the visitor not erased is still in the store.
    expect(filesContaining(temp.dir, [Buffer.from(keptHash)]).length).toBeGreaterThan(0);
    const needles = Object.values(VISITORS).flatMap((v) => encodingsOf(v.ip));
    expect(filesContaining(temp.dir, needles)).toEqual([]);
  });
});
