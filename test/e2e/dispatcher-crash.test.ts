import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UndiciWebhookTransport } from '../../src/adapters/http/undici-webhook-transport.js';
import { openEmbeddedBackend } from '../../src/adapters/sqlite/embedded-backend.js';
import { systemClock } from '../../src/kernel/clock.js';
import { TenancyService } from '../../src/tenancy/tenancy-service.js';
import { WebhookService } from '../../src/webhooks/webhook-service.js';
import { clickCreated } from '../fixtures/webhook-events.js';
import { makeTempDir } from '../support/temp-dir.js';
import { TEST_ADMIN_KEY } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EVENTS = 2_000;
const KILLS = 2;

/** `clickwire start --role dispatcher` over the data dir. */
function startDispatcher(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'start', '--role', 'dispatcher'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        CLICKWIRE_DATA_DIR: dataDir,
        CLICKWIRE_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
        CLICKWIRE_LOG_LEVEL: 'error',
        CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true',
        CLICKWIRE_WEBHOOK_CONCURRENCY: '8',
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

describe('dispatcher crash (SIGKILL with requests in flight)', () => {
  const temp = makeTempDir();
  let receiver: WebhookReceiver;
  const expected = new Set<string>();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // Every answer takes a moment, so a kill always finds requests in flight.
    receiver.answer = () => ({ status: 200, delayMs: 3 });
    const backend = await openEmbeddedBackend({
      dataDir: temp.dir,
      captureDurability: 'process',
      captureMaxBatch: 1000,
    });
    const transport = new UndiciWebhookTransport({ allowPrivateAddresses: true, maxResponseBytes: 4096 });
    try {
      const tenancy = new TenancyService({
        workspaces: backend.workspaces,
        apiKeys: backend.apiKeys,
        clock: systemClock,
      });
      const { workspace } = await tenancy.bootstrap(TEST_ADMIN_KEY);
      const service = new WebhookService(
        {
          subscriptions: backend.subscriptions,
          deliveries: backend.deliveries,
          log: backend.deliveryLog,
          transport,
          clock: systemClock,
        },
        { retryScheduleMs: [1_000], timeoutMs: 5_000, allowPrivateAddresses: true },
      );
      await service.createSubscription(workspace.workspaceId, {
        url: receiver.url(),
        eventTypes: ['click.*'],
      });
      for (let batch = 0; batch < EVENTS / 500; batch++) {
        const events = Array.from({ length: 500 }, () =>
          clickCreated({ workspaceId: workspace.workspaceId }),
        );
        for (const event of events) expected.add(event.eventId);
        await backend.processing.commit({
          consumer: 'test-event-writer',
          position: batch + 1,
          at: Date.now(),
          clicks: [],
          relabels: [],
          visitorWindows: [],
          rollups: [],
          events,
        });
      }
    } finally {
      await transport.close();
      await backend.close();
    }
  });
  afterAll(async () => {
    await receiver.close();
    temp.remove();
  });

  it('delivers every event after restarts, each under its own webhook-id, none missing', {
    timeout: 120_000,
  }, async () => {
    const distinct = () => new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    const receivedAtKill: number[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const dispatcher = startDispatcher(temp.dir);
      // Kill at a different point of the work each time: after roughly kill/(KILLS+1) of it arrived.
      const target = Math.floor((EVENTS * kill) / (KILLS + 1));
      const deadline = Date.now() + 60_000;
      while (distinct().size < target && Date.now() < deadline) await sleep(2);
      await dispatcher.kill();
      receivedAtKill.push(distinct().size);
    }
    const finisher = startDispatcher(temp.dir);
    const deadline = Date.now() + 60_000;
    while (distinct().size < EVENTS && Date.now() < deadline) await sleep(20);
    await finisher.terminate();

    // The kills landed while work was going on, not before it started or after it ended.
    expect(receivedAtKill.every((n) => n > 0 && n < EVENTS)).toBe(true);
    const received = distinct();
    expect(received.size).toBe(EVENTS);
    for (const id of received) expect(expected.has(id ?? '')).toBe(true);

    const db = new Database(path.join(temp.dir, 'clickwire.db'), { readonly: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(count('SELECT count(*) AS n FROM webhook_deliveries')).toBe(EVENTS);
      expect(count("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'")).toBe(EVENTS);
      expect(count('SELECT count(DISTINCT event_id) AS n FROM webhook_subscription_events')).toBe(EVENTS);
    } finally {
      db.close();
    }
  });
});
