import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/kernel/ids.js';
import { ProcessingHousekeeping } from '../../src/processing/housekeeping.js';
import { CHROME_DESKTOP, ProcessingHarness } from '../support/processing-harness.js';

const SECOND = 1000;
const HOUR = 3_600_000;

interface ClickRow {
  click_id: string;
  link_id: string | null;
  campaign_id: string | null;
  traffic_class: string;
  is_unique: number;
  uniqueness_rule: string;
  is_suspicious: number;
  fraud_reason: string | null;
  reasons: string;
  device_type: string;
  os_family: string | null;
  browser_family: string | null;
  referrer_category: string;
  referrer_host: string | null;
  language: string | null;
  country: string | null;
  processed_at: number;
  received_at: number;
  privacy_mode: string;
}

describe('click processor', () => {
  let h: ProcessingHarness;
  beforeEach(async () => {
    h = await ProcessingHarness.open();
  });
  afterEach(async () => h.close());

  const clicks = () => h.query<ClickRow>('SELECT * FROM clicks ORDER BY seq');
  const events = (type: string) =>
    h
      .query<{ payload: string }>('SELECT payload FROM events WHERE event_type = ? ORDER BY event_id', type)
      .map((row) => JSON.parse(row.payload));

  it('stores a classified, enriched click with its click.created event and rollup', async () => {
    const linkId = await h.createLink({
      alias: 'spring',
      campaignId: 'spring-2026',
      tags: ['email', 'promo'],
    });
    const raw = await h.append({
      linkId,
      headers: { ...CHROME_DESKTOP, referer: 'https://mail.google.com/mail/u/0/#inbox/abc?x=1' },
    });
    h.clock.advance(7);
    expect(await h.processAll()).toBe(1);

    const [row] = clicks();
    expect(row).toMatchObject({
      click_id: raw.clickId,
      link_id: linkId,
      campaign_id: 'spring-2026',
      traffic_class: 'human',
      is_unique: 1,
      uniqueness_rule: 'link_visitor_24h',
      is_suspicious: 0,
      device_type: 'desktop',
      os_family: 'Windows',
      browser_family: 'Chrome',
      referrer_category: 'email',
      referrer_host: 'mail.google.com',
      language: 'de',
      country: 'DE',
      received_at: raw.occurredAt,
      processed_at: raw.occurredAt + 7,
      privacy_mode: 'hashed_ip_truncated_prefix',
    });
    const [created] = events('click.created');
    expect(created).toMatchObject({
      schema_version: 1,
      event_type: 'click.created',
      workspace_id: h.workspaceId,
      occurred_at: new Date(raw.occurredAt).toISOString(),
      data: {
        link: { link_id: linkId, alias: 'spring', campaign_id: 'spring-2026', tags: ['email', 'promo'] },
        click: {
          click_id: raw.clickId,
          traffic_class: 'human',
          is_bot: false,
          is_unique: true,
          referrer_host: 'mail.google.com',
        },
      },
    });
    expect(created.event_id).toMatch(/^evt_/);
    // Never in a webhook payload: the user agent, the IP prefix, the full referrer.
    const text = JSON.stringify(created);
    expect(text).not.toContain('Mozilla');
    expect(text).not.toContain('203.0.113');
    expect(text).not.toContain('inbox');
    expect(h.rollupTotal()).toBe(1);
    expect(h.rollupTotal(`link_id = '${linkId}' AND traffic_class = 'human' AND is_unique = 1`)).toBe(1);
  });

  it('stores the same click id once and counts it once, within a batch and across batches and consumers', async () => {
    const linkId = await h.createLink();
    const raw = await h.append({ linkId });
    await h.backend.clickLog.append(raw); // duplicated in the same batch
    await h.processAll();
    await h.backend.clickLog.append(raw); // and again later
    await h.processAll();
    // A second consumer replaying the whole log from the start changes nothing either.
    await h.processAll(h.newProcessor({ consumer: 'replay' }));

    expect(clicks()).toHaveLength(1);
    expect(h.rollupTotal()).toBe(1);
    expect(events('click.created')).toHaveLength(1);
  });

  it('records clicks on unknown slugs and blocked links too', async () => {
    const linkId = await h.createLink({ disabled: true });
    await h.append({ linkId: null, slug: 'typo', redirectStatus: 'not_found' });
    await h.append({ linkId, redirectStatus: 'blocked', blockReason: 'link_disabled' });
    await h.processAll();
    expect(h.query('SELECT slug, redirect_status, block_reason, is_unique FROM clicks ORDER BY seq')).toEqual(
      [
        { slug: 'typo', redirect_status: 'not_found', block_reason: null, is_unique: 0 },
        { slug: 'spring-sale', redirect_status: 'blocked', block_reason: 'link_disabled', is_unique: 1 },
      ],
    );
    expect(events('click.created')[0].data.link).toEqual({
      link_id: null,
      alias: 'typo',
      domain_id: null,
      campaign_id: null,
      channel: null,
      tags: [],
    });
  });

  describe('uniqueness', () => {
    it('counts a visitor once per link within the window, per link, per user agent', async () => {
      const a = await h.createLink();
      const b = await h.createLink();
      h.clock.set(Date.UTC(2026, 10, 27, 0, 30));
      await h.append({ linkId: a });
      h.clock.advance(22 * HOUR);
      await h.append({ linkId: a }); // same visitor, same day: not unique
      await h.append({ linkId: b }); // other link: unique
      await h.append({ linkId: a, ipHash: 'f'.repeat(32) }); // other address: unique
      await h.append({
        linkId: a,
        headers: { ...CHROME_DESKTOP, 'user-agent': `${CHROME_DESKTOP['user-agent']} Edg/131.0` },
      });
      await h.processAll();
      expect(clicks().map((c) => c.is_unique)).toEqual([1, 0, 1, 1, 1]);
      expect(h.rollupTotal('is_unique = 1')).toBe(4);
    });

    it('starts over when the day salt rotates: a visitor cannot be followed into the next UTC day', async () => {
      const linkId = await h.createLink();
      h.clock.set(Date.UTC(2026, 10, 27, 23, 59));
      await h.append({ linkId });
      await h.processAll();
      h.clock.set(Date.UTC(2026, 10, 28, 0, 1));
      await h.append({ linkId });
      await h.processAll();
      expect(clicks().map((c) => c.is_unique)).toEqual([1, 1]);
      expect(h.query('SELECT day FROM ip_salts ORDER BY day')).toEqual([
        { day: '2026-11-27' },
        { day: '2026-11-28' },
      ]);
    });

    it('follows the workspace rule: calendar days in the workspace time zone', async () => {
      const { workspace } = await h.tenancy.createWorkspace('Berlin office');
      await h.backend.workspaces.updateSettings(workspace.workspaceId, {
        uniquenessRule: 'link_visitor_day',
        timezone: 'Europe/Berlin',
      });
      const link = await h.links.create(workspace.workspaceId, { destinationUrl: 'https://example.com/' });
      h.clock.set(Date.UTC(2026, 10, 27, 6, 0)); // 07:00 in Berlin
      await h.append({ workspaceId: workspace.workspaceId, linkId: link.link_id });
      h.clock.set(Date.UTC(2026, 10, 27, 21, 0)); // 22:00 the same Berlin day
      await h.append({ workspaceId: workspace.workspaceId, linkId: link.link_id });
      await h.processAll();
      expect(clicks().map((c) => [c.is_unique, c.uniqueness_rule])).toEqual([
        [1, 'link_visitor_day'],
        [0, 'link_visitor_day'],
      ]);
    });

    it('does not let a prefetch or preview take the person’s unique click', async () => {
      const linkId = await h.createLink();
      await h.append({ linkId, headers: { ...CHROME_DESKTOP, 'sec-purpose': 'prefetch' } });
      await h.append({
        linkId,
        headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' },
      });
      h.clock.advance(3 * SECOND);
      await h.append({ linkId });
      await h.processAll();
      expect(clicks().map((c) => [c.traffic_class, c.is_unique])).toEqual([
        ['prefetch', 0],
        ['link_preview', 0],
        ['human', 1],
      ]);
      expect(clicks()[0]!.device_type).toBe('desktop'); // a prefetching browser keeps its device
      expect(clicks()[1]!.device_type).toBe('bot');
    });
  });

  it('re-labels earlier clicks when a burst shows they were not human, corrects rollups and emits click.flagged', async () => {
    const linkId = await h.createLink();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await h.append({ linkId })).clickId);
      await h.processAll(); // each click in its own batch: earlier ones are already committed
      h.clock.advance(2 * SECOND);
    }
    const rows = clicks();
    expect(rows.every((row) => row.is_suspicious === 1 && row.fraud_reason === 'burst')).toBe(true);
    expect(rows.every((row) => JSON.parse(row.reasons).includes('burst_same_visitor_link'))).toBe(true);

    const flagged = events('click.flagged');
    // The first three were stored before the burst showed; each was flagged once.
    expect(flagged.map((event) => event.data.click.click_id)).toEqual(ids.slice(0, 3));
    for (const event of flagged) {
      expect(event.data.previous).toMatchObject({ is_suspicious: false, fraud_reason: null });
      expect(event.data.click).toMatchObject({ is_suspicious: true, fraud_reason: 'burst' });
    }
    expect(events('click.created')).toHaveLength(6);
    expect(h.rollupTotal()).toBe(6);
    // Rollups agree with the clicks, cell by cell.
    const byClass = h.query<{ traffic_class: string; n: number }>(
      'SELECT traffic_class, count(*) AS n FROM clicks GROUP BY traffic_class ORDER BY 1',
    );
    for (const { traffic_class, n } of byClass)
      expect(h.rollupTotal(`traffic_class = '${traffic_class}'`)).toBe(n);
  });

  it('re-labels a scanner sweeping many links from one datacenter network', async () => {
    const links = [];
    for (let i = 0; i < 5; i++) links.push(await h.createLink());
    for (const linkId of links) {
      await h.append({
        linkId,
        asn: 16509,
        asnOrg: 'AMAZON-02',
        headers: { 'user-agent': CHROME_DESKTOP['user-agent'] },
      });
      await h.processAll();
      h.clock.advance(SECOND);
    }
    const rows = clicks();
    expect(rows.map((row) => row.traffic_class)).toEqual(Array(5).fill('security_scanner'));
    expect(events('click.flagged').length).toBeGreaterThan(0);
    expect(h.rollupTotal("traffic_class = 'security_scanner'")).toBe(5);
    expect(h.rollupTotal("traffic_class = 'human'")).toBe(0);
  });

  it('stores damaged raw records with nulls instead of stopping', async () => {
    const linkId = await h.createLink();
    await h.append({
      linkId,
      headers: {
        'user-agent': `\uFFFD\uFFFD${'\u0000'.repeat(3)}${'é'.repeat(500)}`,
        referer: 'http://[::1:bad',
        'accept-language': ';;;q=abc,*',
      },
    });
    await h.append({
      linkId,
      headers: { 'user-agent': 'x'.repeat(1024), referer: '%%%', 'accept-language': 'x'.repeat(1024) },
    });
    // A row whose headers column is not JSON at all, written behind the log's back.
    const log = new Database(path.join(h.dataDir, 'clicklog.db'));
    log
      .prepare(
        `INSERT INTO raw_clicks (click_id, occurred_at, workspace_id, link_id, domain_id, slug, method, redirect_status,
           block_reason, headers, ip_hash, ip_prefix, country, asn, asn_org)
         VALUES (?, ?, ?, ?, NULL, 'spring', 'GET', 'success', NULL, '{"user-agent": "trunc', ?, '203.0.113.0/24', NULL, NULL, NULL)`,
      )
      .run(newId('click'), h.clock.now(), h.workspaceId, linkId, 'a'.repeat(32));
    log.close();
    await h.append({ linkId });

    expect(await h.processAll()).toBe(4);
    const rows = clicks();
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ referrer_host: null, language: null });
    expect(rows[2]).toMatchObject({
      os_family: null,
      browser_family: null,
      language: null,
      referrer_category: 'direct',
    });
    expect(rows[2]!.reasons).toContain('ua_missing');
    expect(h.rollupTotal()).toBe(4);
  });

  it('forgets salts and uniqueness windows older than 48 hours', async () => {
    const linkId = await h.createLink();
    h.clock.set(Date.UTC(2026, 10, 24, 12, 0));
    await h.append({ linkId });
    await h.processAll();
    h.clock.set(Date.UTC(2026, 10, 27, 12, 0));
    await h.append({ linkId });
    await h.processAll();
    expect(h.query('SELECT count(*) AS n FROM visitor_windows')).toEqual([{ n: 2 }]);

    const housekeeping = new ProcessingHousekeeping({
      store: h.backend.processing,
      salts: h.backend.ipSalts,
      clock: h.clock,
      logger: (await import('../../src/kernel/logger.js')).createLogger('silent'),
    });
    await housekeeping.runOnce();
    expect(h.query('SELECT day FROM ip_salts')).toEqual([{ day: '2026-11-27' }]);
    expect(h.query('SELECT count(*) AS n FROM visitor_windows')).toEqual([{ n: 1 }]);
  });
});
