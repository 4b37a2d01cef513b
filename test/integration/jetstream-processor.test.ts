import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JetStreamClickLog } from '../../src/adapters/nats/jetstream-click-log.js';
import type { RawClick } from '../../src/click-log/raw-click.js';
import type { ClickProcessor } from '../../src/processing/click-processor.js';
import type { ProcessedBatch, ProcessingStore } from '../../src/processing/processing-store.js';
import { jetStreamAvailable, TestStream } from '../support/jetstream-test-stream.js';
import { ProcessingHarness } from '../support/processing-harness.js';

const GROUP = 'processor';
const BATCH = 50;

/**
 * Processors on the JetStream click log with the embedded store: what a processor crash and a
 * second processor in the group do to the stored clicks. Each test has a stream of its own; a
 * second processor has a NATS connection of its own, as another process would.
 */
describe.runIf(jetStreamAvailable())('processors on the JetStream click log', () => {
  let stream: TestStream;
  let h: ProcessingHarness;
  const extraLogs: JetStreamClickLog[] = [];

  beforeEach(async () => {
    stream = new TestStream();
    h = await ProcessingHarness.open({ batchSize: BATCH }, { clickLog: await stream.openLog() });
  });
  afterEach(async () => {
    for (const log of extraLogs.splice(0)) await log.close();
    await h.close();
    await stream.drop();
  });

  /** Appends `count` clicks on a few links, some visitors often enough to form bursts. */
  async function appendClicks(count: number): Promise<RawClick[]> {
    const links = [await h.createLink(), await h.createLink(), await h.createLink()];
    const clicks: RawClick[] = [];
    for (let i = 0; i < count; i++) {
      h.clock.advance(50);
      clicks.push(
        await h.append({
          linkId: links[i % links.length]!,
          ipHash: (i % 40).toString(16).padStart(32, '0'),
        }),
      );
    }
    return clicks;
  }

  /** Runs the processors side by side until they have taken `entries` log entries between them. */
  async function runUntil(processors: readonly ClickProcessor[], entries: number): Promise<number[]> {
    const taken = processors.map(() => 0);
    for (let round = 0; round < 500 && taken.reduce((a, b) => a + b, 0) < entries; round++) {
      const counts = await Promise.all(processors.map((processor) => processor.processBatch()));
      counts.forEach((count, i) => {
        taken[i]! += count;
      });
    }
    return taken;
  }

  function expectEachClickOnce(clicks: readonly RawClick[]): void {
    const stored = h.query<{ click_id: string }>('SELECT click_id FROM clicks');
    expect(stored.map((row) => row.click_id).sort()).toEqual(clicks.map((click) => click.clickId).sort());
    expect(h.rollupTotal()).toBe(clicks.length);
    const created = h.query<{ n: number }>(
      "SELECT count(*) AS n FROM events WHERE event_type = 'click.created'",
    );
    expect(created[0]?.n).toBe(clicks.length);
    // Every cell of the rollups matches the clicks it counts, re-labels included.
    const cells = h.query<{ n: number; rolled: number }>(
      `SELECT c.n, coalesce(r.total, 0) AS rolled
       FROM (SELECT link_id, traffic_class, is_unique, count(*) AS n FROM clicks GROUP BY 1, 2, 3) c
       LEFT JOIN (SELECT link_id, traffic_class, is_unique, sum(clicks) AS total FROM click_rollups GROUP BY 1, 2, 3) r
         USING (link_id, traffic_class, is_unique)`,
    );
    for (const cell of cells) expect(cell.rolled).toBe(cell.n);
  }

  /**
   * The store of a processor whose process dies at its commit: its NATS connection goes away
   * (so nothing it fetched is ever acknowledged or released), either just before the commit or
   * just after it.
   */
  function dyingStore(log: JetStreamClickLog, when: 'before commit' | 'after commit'): ProcessingStore {
    const store = h.backend.processing;
    return {
      readCursor: (consumer) => store.readCursor(consumer),
      knownClickIds: (ids) => store.knownClickIds(ids),
      visitorWindows: (keys) => store.visitorWindows(keys),
      getClick: (workspaceId, clickId) => store.getClick(workspaceId, clickId),
      rollupCells: (workspaceId) => store.rollupCells(workspaceId),
      deleteVisitorWindowsBefore: (before) => store.deleteVisitorWindowsBefore(before),
      commit: async (batch: ProcessedBatch) => {
        if (when === 'after commit') await store.commit(batch);
        await log.close();
        if (when === 'before commit') throw new Error('process died');
      },
    };
  }

  for (const when of ['before commit', 'after commit'] as const) {
    it(`stores each click once when a processor dies ${when}, before acknowledging`, async () => {
      const clicks = await appendClicks(300);
      const doomedLog = await stream.openLog();
      extraLogs.push(doomedLog);
      const doomed = h.newProcessor(
        { batchSize: BATCH },
        { clickLog: doomedLog, store: dyingStore(doomedLog, when) },
      );
      await expect(doomed.processBatch()).rejects.toThrow();
      expect(h.query('SELECT click_id FROM clicks')).toHaveLength(when === 'after commit' ? BATCH : 0);
      expect((await stream.consumerState(GROUP)).unacknowledged).toBe(BATCH);

      // The survivor gets the rest now and the dead one's batch once its ack wait has passed.
      const survivor = h.newProcessor({ batchSize: BATCH });
      const [taken] = await runUntil([survivor], clicks.length);
      expect(taken).toBe(clicks.length);
      expectEachClickOnce(clicks);
      expect(await stream.consumerState(GROUP)).toEqual({ pending: 0, unacknowledged: 0 });
    });
  }

  it('shares the work between two processors of a group without counting a click twice', async () => {
    const clicks = await appendClicks(1000);
    const secondLog = await stream.openLog();
    extraLogs.push(secondLog);
    const first = h.newProcessor({ batchSize: BATCH });
    const second = h.newProcessor({ batchSize: BATCH }, { clickLog: secondLog });
    const taken = await runUntil([first, second], clicks.length);
    expect(taken[0]).toBeGreaterThan(0);
    expect(taken[1]).toBeGreaterThan(0);
    expect(taken[0]! + taken[1]!).toBe(clicks.length);
    expectEachClickOnce(clicks);
    expect(await stream.consumerState(GROUP)).toEqual({ pending: 0, unacknowledged: 0 });
  });

  it('writes no store cursor: the group’s progress is in JetStream', async () => {
    const clicks = await appendClicks(10);
    await h.processAll();
    expectEachClickOnce(clicks);
    expect(h.query('SELECT * FROM consumer_cursors')).toEqual([]);
  });
});
