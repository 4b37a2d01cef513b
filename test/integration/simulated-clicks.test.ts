import { afterEach, beforeEach, expect, it } from 'vitest';
import { CHROME_DESKTOP, ProcessingHarness } from '../support/processing-harness.js';

let h: ProcessingHarness;
/** Clicks in the workspace-wide hourly series, which triggers keep from the rollups. */
const seriesTotal = () =>
  h.query<{ n: number | null }>(
    'SELECT sum(human + bot + link_preview + prefetch + security_scanner) AS n FROM click_hourly_totals',
  )[0]?.n ?? 0;
beforeEach(async () => {
  h = await ProcessingHarness.open();
});
afterEach(async () => h.close());

it('stores and reports a simulated click, marked, and never counts it in rollups', async () => {
  const linkId = await h.createLink({ alias: 'sim' });
  const real = await h.append({ linkId, ipHash: '1'.repeat(32) });
  const simulated = await h.append({ linkId, ipHash: '2'.repeat(32), simulated: true });
  await h.processAll();

  expect((await h.backend.processing.getClick(h.workspaceId, simulated.clickId))?.simulated).toBe(true);
  expect((await h.backend.processing.getClick(h.workspaceId, real.clickId))?.simulated).toBe(false);
  const events = h
    .query<{ payload: string }>("SELECT payload FROM events WHERE event_type = 'click.created' ORDER BY seq")
    .map((row) => JSON.parse(row.payload) as { data: { click: { click_id: string; simulated: boolean } } });
  expect(events.map((event) => [event.data.click.click_id, event.data.click.simulated])).toEqual([
    [real.clickId, false],
    [simulated.clickId, true],
  ]);
  expect(h.rollupTotal()).toBe(1);
  expect(seriesTotal()).toBe(1);
});

it('simulated clicks take no part in bursts or uniqueness, and move no rollup counts', async () => {
  // A sweep over many links from a datacenter network would be a scanner burst if it were real.
  for (let i = 0; i < 5; i++) {
    const linkId = await h.createLink();
    await h.append({ linkId, asn: 16509, asnOrg: 'AMAZON-02', headers: CHROME_DESKTOP, simulated: true });
    await h.processAll();
    h.clock.advance(1000);
  }
  expect(h.query("SELECT count(*) AS n FROM events WHERE event_type = 'click.flagged'")).toEqual([{ n: 0 }]);
  expect(h.query('SELECT count(*) AS n FROM visitor_windows')).toEqual([{ n: 0 }]);
  expect(h.query('SELECT * FROM click_rollups WHERE clicks != 0')).toEqual([]);
  expect(seriesTotal()).toBe(0);

  // A real visitor with the same address and browser afterwards is unique, and not part of a burst.
  const linkId = await h.createLink();
  await h.append({ linkId, headers: CHROME_DESKTOP });
  await h.processAll();
  expect(h.query('SELECT is_unique, is_suspicious FROM clicks WHERE simulated = 0')).toEqual([
    { is_unique: 1, is_suspicious: 0 },
  ]);
});
