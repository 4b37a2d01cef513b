import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/adapters/backend.js';
import { openEmbeddedBackend } from '../../../src/adapters/sqlite/embedded-backend.js';
import { newId } from '../../../src/kernel/ids.js';
import { TenancyService } from '../../../src/tenancy/tenancy-service.js';
import { NO_FAILURES } from '../../../src/webhooks/pause-policy.js';
import { makeTempDir } from '../../support/temp-dir.js';

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const insert = db.prepare("INSERT INTO events (event_id, workspace_id, event_type, occurred_at, payload) VALUES (?, ?, 'click.created', 0, '{}')");
let stop = false, n = 0;
parentPort.on('message', () => { stop = true; });
parentPort.postMessage('started');
const loop = () => {
  for (let i = 0; i < 20 && !stop; i++) insert.run('evt_busy_' + (n++), workerData.ws);
  if (stop) { db.close(); parentPort.close(); } else setImmediate(loop);
};
loop();
`;

/**
 * The API (subscription changes, replays) and the dispatcher (batches) write the store while the
 * processor, on another connection, commits events all the time. SQLite fails a transaction that
 * read first and then tries to write after another connection committed — at once, without
 * waiting — so every such transaction must take the write lock first.
 */
describe('webhook store writes beside a busy writer on another connection', () => {
  const temp = makeTempDir('clickwire-concurrent-');
  let api: Backend;
  beforeEach(async () => {
    const options = { dataDir: temp.dir, captureDurability: 'process' as const, captureMaxBatch: 100 };
    api = await openEmbeddedBackend(options);
  });
  afterEach(async () => {
    await api.close();
    temp.remove();
  });

  it('never fails with SQLITE_BUSY', async () => {
    const tenancy = new TenancyService({
      workspaces: api.workspaces,
      apiKeys: api.apiKeys,
      clock: { now: () => Date.now() },
    });
    const ws = (await tenancy.bootstrap(null)).workspace.workspaceId;
    // The busy writer: another thread with its own connection, committing events back to back.
    const writer = new Worker(WRITER, {
      eval: true,
      workerData: { file: path.join(temp.dir, 'clickwire.db'), driver: DRIVER, ws },
    });
    const started = once(writer, 'message');
    const exited = once(writer, 'exit');
    await started;
    try {
      const base = {
        workspaceId: ws,
        url: 'https://hooks.example.com/',
        description: null,
        eventTypes: ['click.*'],
        filters: { linkIds: null, tags: null, campaignId: null, trafficClasses: null },
        maxAttempts: 3,
        rateLimitPerSecond: null,
        status: 'active' as const,
        statusReason: null,
        statusChangedAt: 0,
        secrets: { current: 'whsec_AAAA', previous: null },
        failureStreak: NO_FAILURES,
        startsAfterEvent: 0,
        createdAt: 0,
        updatedAt: 0,
      };
      for (let i = 0; i < 25; i++) {
        const sub = await api.subscriptions.insert({
          ...base,
          subscriptionId: newId('subscription'),
          mode: { kind: 'batch', maxEvents: 10, maxWaitMs: 100 },
        });
        // Let the other connection commit between our reads and writes.
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(
          await api.subscriptions.changeStatus(ws, sub.subscriptionId, {
            status: 'paused',
            reason: 'x',
            at: 1,
          }),
        ).toBe(true);
        expect(await api.subscriptions.update({ ...sub, mode: { kind: 'immediate' } }, 2)).toBe(true);
        await api.deliveries.formBatch({
          subscriptionId: sub.subscriptionId,
          now: 3,
          maxEvents: 10,
          maxWaitMs: 0,
          maxBytes: 100_000,
          deliveryId: newId('delivery'),
          leaseUntil: null,
        });
        await api.deliveries.createReplay({
          replayId: newId('replay'),
          workspaceId: ws,
          subscriptionId: sub.subscriptionId,
          selection: { by: 'time_range', occurredAfter: null, occurredBefore: null, onlyFailed: true },
          requestedBy: 'key_test',
          now: 4,
          batching: null,
          maxEvents: 10,
          newDeliveryId: () => newId('delivery'),
        });
        expect(await api.subscriptions.delete(ws, sub.subscriptionId, 5)).toBe(true);
      }
    } finally {
      writer.postMessage('stop');
      await exited;
    }
  });
});
