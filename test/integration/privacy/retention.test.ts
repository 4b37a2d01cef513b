import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClickAnalytics } from '../../../src/analytics/click-analytics.js';
import { ZonedCalendar } from '../../../src/analytics/zoned-calendar.js';
import { createLogger } from '../../../src/kernel/logger.js';
import { DEFAULT_WORKSPACE_PRIVACY, type WorkspacePrivacy } from '../../../src/privacy/privacy-settings.js';
import { RETENTION_BATCH, RetentionEnforcer } from '../../../src/privacy/retention-enforcer.js';
import { CHROME_DESKTOP, ProcessingHarness } from '../../support/processing-harness.js';

const DAY = 86_400_000;

/** Retention, driven by a clock the test moves: nothing expires early, everything expired goes. */
describe('retention enforcement', () => {
  let h: ProcessingHarness;
  let retention: RetentionEnforcer;

  beforeEach(async () => {
    h = await ProcessingHarness.open();
    retention = new RetentionEnforcer({
      settings: h.backend.workspacePrivacy,
      store: h.backend.retention,
      clickLog: h.backend.clickLogPruning,
      processedThrough: () => h.backend.processing.readCursor('processor'),
      clock: h.clock,
      logger: createLogger('silent'),
    });
  });
  afterEach(async () => {
    await retention.stop();
    await h.close();
  });

  const rawClicks = () => queryLog<{ n: number }>(h, 'SELECT count(*) AS n FROM raw_clicks')[0]!.n;
  const storedClicks = () => h.query<{ n: number }>('SELECT count(*) AS n FROM clicks')[0]!.n;
  const events = () =>
    h.query<{ n: number }>('SELECT count(*) AS n FROM events WHERE event_type LIKE ?', 'click.%')[0]!.n;

  async function setRetention(change: Partial<WorkspacePrivacy['retention']>, privacy = {}) {
    await h.backend.workspacePrivacy.update(h.workspaceId, {
      retention: { ...DEFAULT_WORKSPACE_PRIVACY.retention, ...change },
      privacy: { ...DEFAULT_WORKSPACE_PRIVACY.privacy, ...privacy },
    });
  }

  it('keeps everything inside the defaults: raw clicks 90 days, events 30, rollups forever', async () => {
    const linkId = await h.createLink();
    const start = h.clock.now();
    for (let i = 0; i < 3; i++) await h.append({ linkId });
    await h.processAll();

    h.clock.advance(29 * DAY);
    expect(await retention.runOnce()).toMatchObject({ clicks: 0, rawClicks: 0, events: 0 });
    expect([rawClicks(), storedClicks(), events()]).toEqual([3, 3, 3]);

    h.clock.advance(2 * DAY); // day 31: events expire (3 click.created, 1 link.created), clicks stay
    expect(await retention.runOnce()).toMatchObject({ clicks: 0, events: 4 });
    expect([rawClicks(), storedClicks(), events()]).toEqual([3, 3, 0]);

    h.clock.advance(60 * DAY); // day 91: raw clicks expire, rollups stay
    expect(await retention.runOnce()).toMatchObject({ clicks: 3, rawClicks: 3, rollups: 0 });
    expect([rawClicks(), storedClicks()]).toEqual([0, 0]);
    expect(h.rollupTotal()).toBe(3);

    // Aggregations keep answering from the rollups for the expired range.
    const analytics = new ClickAnalytics(h.backend.analytics, 'processor');
    const hour = Math.floor(start / 3_600_000) * 3_600_000;
    const answer = await analytics.hourly(
      {
        workspaceId: h.workspaceId,
        from: hour,
        to: hour + 3_600_000,
        linkId: null,
        campaignId: null,
        tag: null,
        humansOnly: false,
        uniqueOnly: false,
      },
      ZonedCalendar.of('UTC')!,
    );
    expect(answer.totals.clicks).toBe(3);
  });

  it('follows a shorter retention, and deletes rollups only when the workspace limits them', async () => {
    const linkId = await h.createLink();
    await h.append({ linkId });
    await h.processAll();
    await setRetention({ rawClickDays: 1, eventDays: 1, rollupDays: 2 });

    h.clock.advance(DAY - 1);
    expect(await retention.runOnce()).toMatchObject({ clicks: 0, rawClicks: 0, events: 0, rollups: 0 });
    h.clock.advance(2);
    expect(await retention.runOnce()).toMatchObject({ clicks: 1, rawClicks: 1, events: 2, rollups: 0 });
    expect(h.rollupTotal()).toBe(1);
    h.clock.advance(DAY + 3_600_000);
    expect(await retention.runOnce()).toMatchObject({ rollups: 1 });
    expect(h.rollupTotal()).toBe(0);
  });

  it('works through a backlog larger than one batch', async () => {
    await setRetention({ rawClickDays: 1 });
    const clicks = [];
    for (let i = 0; i < RETENTION_BATCH * 2 + 7; i++) clicks.push(h.append({ headers: CHROME_DESKTOP }));
    await Promise.all(clicks);
    await h.processAll();
    h.clock.advance(2 * DAY);
    expect(await retention.runOnce()).toMatchObject({
      clicks: RETENTION_BATCH * 2 + 7,
      rawClicks: RETENTION_BATCH * 2 + 7,
    });
    expect([rawClicks(), storedClicks()]).toEqual([0, 0]);
  });

  it('drops raw user agents once processed when the workspace asks for it, and not before', async () => {
    await setRetention({}, { userAgent: 'until_processed' });
    await h.append();
    await retention.runOnce();
    const agents = () =>
      queryLog<{ n: number }>(
        h,
        `SELECT count(*) AS n FROM raw_clicks WHERE json_extract(headers, '$."user-agent"') IS NOT NULL`,
      )[0]!.n;
    expect(agents()).toBe(1); // not processed yet: classification still needs it
    await h.processAll();
    await h.append();
    await retention.runOnce();
    expect(agents()).toBe(1); // the processed one lost it; the new one keeps it until processed
    expect(rawClicks()).toBe(2);
  });
});

function queryLog<T>(h: ProcessingHarness, sql: string): T[] {
  const db = new Database(path.join(h.dataDir, 'clicklog.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}
