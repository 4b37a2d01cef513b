import { afterEach, describe, expect, it } from 'vitest';
import type { RawClick } from '../../src/click-log/raw-click.js';
import { newId } from '../../src/kernel/ids.js';
import type { ProcessedBatch, ProcessingStore } from '../../src/processing/processing-store.js';
import { CHROME_DESKTOP, ProcessingHarness } from '../support/processing-harness.js';

const SLACKBOT = { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' };
const LINKS = 6;
const BATCH = 16;

/** A raw click of the workload, on the workload's `link`-th link of whichever store it goes to. */
type WorkloadClick = Omit<RawClick, 'workspaceId' | 'linkId'> & { readonly link: number };

/**
 * A log whose bursts, re-labels, repeat visitors and duplicate ids straddle batch boundaries:
 * visitors come back within seconds (bursts), networks click many links, a preview fetcher
 * unfurls, ids are replayed, and some clicks are simulated.
 */
function workload(start: number): WorkloadClick[] {
  const clicks: WorkloadClick[] = [];
  let at = start;
  for (let i = 0; i < 420; i++) {
    at += (i * 7919) % 5 === 0 ? 4_000 : 300;
    const visitor = (i * 31) % 23;
    const link = visitor % 3 === 0 ? i % LINKS : visitor % LINKS;
    const previous = clicks[i - 40];
    if (i % 97 === 50 && previous) {
      clicks.push(previous); // the same id again, far back
      continue;
    }
    clicks.push({
      clickId: newId('click', at),
      occurredAt: at,
      link,
      domainId: null,
      slug: `l${link}`,
      method: 'GET',
      redirectStatus: 'success',
      blockReason: null,
      headers: visitor === 7 ? SLACKBOT : CHROME_DESKTOP,
      ipHash: visitor.toString(16).padStart(32, '0'),
      ipPrefix: `10.0.${visitor % 4}.0/24`,
      country: visitor % 2 === 0 ? 'DE' : 'US',
      asn: 3320,
      asnOrg: 'Deutsche Telekom AG',
      ...(i % 61 === 0 ? { simulated: true } : {}),
    });
  }
  return clicks;
}

/** What the store holds, with ids that differ between stores (workspace, links, events) left out. */
function stored(h: ProcessingHarness) {
  return {
    clicks: h.query(
      `SELECT c.click_id, l.alias, c.traffic_class, c.is_unique, c.bot_score, c.is_suspicious, c.fraud_reason,
         c.reasons, c.device_type, c.simulated
       FROM clicks c LEFT JOIN links l ON l.link_id = c.link_id ORDER BY c.click_id`,
    ),
    rollups: h.query(
      `SELECT l.alias, r.hour, r.country, r.device_type, r.referrer_category, r.traffic_class, r.is_unique, r.clicks
       FROM click_rollups r LEFT JOIN links l ON l.link_id = r.link_id WHERE r.clicks <> 0
       ORDER BY l.alias, r.hour, r.country, r.device_type, r.referrer_category, r.traffic_class, r.is_unique`,
    ),
    events: h
      .query<{ event_type: string; payload: string }>(
        "SELECT event_type, payload FROM events WHERE event_type LIKE 'click.%' ORDER BY seq",
      )
      .map((row) => {
        const { data } = JSON.parse(row.payload);
        return [row.event_type, data.click.click_id, data.click.traffic_class, data.click.is_unique];
      })
      .sort((a, b) => String(a).localeCompare(String(b))),
    windows: h.query<{ n: number }>('SELECT count(*) AS n FROM visitor_windows')[0]!.n,
    cursor: h.query('SELECT position FROM consumer_cursors'),
  };
}

async function run(
  pipelined: boolean,
  wrapStore?: (store: ProcessingStore) => ProcessingStore,
): Promise<ProcessingHarness> {
  const h = await ProcessingHarness.open(
    { batchSize: BATCH, pipelineDepth: pipelined ? 4 : 1 },
    { processorCommits: pipelined ? 'thread' : 'connection' },
  );
  harnesses.push(h);
  const links: string[] = [];
  for (let i = 0; i < LINKS; i++) links.push(await h.createLink({ alias: `l${i}` }));
  for (const { link, ...click } of WORKLOAD) {
    await h.backend.clickLog.append({ ...click, workspaceId: h.workspaceId, linkId: links[link]! });
  }
  if (wrapStore)
    h.processor = h.newProcessor(
      { batchSize: BATCH, pipelineDepth: pipelined ? 4 : 1 },
      { store: wrapStore(h.backend.processing) },
    );
  // A failed batch is released and the processor tries again, as its loop does after a pause.
  for (let attempt = 0; ; attempt++) {
    try {
      await h.processAll();
      return h;
    } catch (error) {
      if (attempt > 2) throw error;
    }
  }
}

const harnesses: ProcessingHarness[] = [];
/** The same clicks, ids included, for every store compared; they start when the harness clock does. */
const WORKLOAD = workload(Date.UTC(2026, 10, 27, 12, 0, 0));
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

describe('pipelined processor (transactions written on a commit thread while the next is classified)', () => {
  it('stores exactly what batch-at-a-time processing stores', async () => {
    const sequential = stored(await run(false));
    const pipelined = stored(await run(true));
    // The workload does what it is for: re-labels, both kinds of uniqueness, replays skipped.
    expect(sequential.events.filter(([type]) => type === 'click.flagged').length).toBeGreaterThan(10);
    expect(new Set(sequential.clicks.map((c) => (c as { is_unique: number }).is_unique))).toEqual(
      new Set([0, 1]),
    );
    expect(pipelined).toEqual(sequential);
  });

  it('recovers as batch-at-a-time does when another processor stored a click of a transaction in flight', async () => {
    /** The third transaction: "another processor" stores one of its clicks just before. */
    const interfering = (store: ProcessingStore): ProcessingStore => {
      let commits = 0;
      return Object.assign(Object.create(store) as ProcessingStore, {
        commit: async (batch: ProcessedBatch) => {
          if (++commits === 3) {
            await store.commit({
              ...batch,
              position: null,
              clicks: batch.clicks.slice(0, 1),
              relabels: [],
              visitorWindows: [],
              rollups: [],
              events: [],
            });
          }
          return store.commit(batch);
        },
      });
    };
    const sequential = stored(await run(false, interfering));
    const pipelined = stored(await run(true, interfering));
    // The click stored "elsewhere" has no event here; everything else is there once.
    expect(pipelined.clicks).toHaveLength(new Set(WORKLOAD.map((c) => c.clickId)).size);
    expect(pipelined.events.filter(([type]) => type === 'click.created')).toHaveLength(
      pipelined.clicks.length - 1,
    );
    expect(pipelined).toEqual(sequential);
  });

  it('replays as batch-at-a-time does when a transaction fails while the next is classified', async () => {
    /** The third transaction fails once (the disk filled up, say); nothing of it is written. */
    const failingOnce = (store: ProcessingStore): ProcessingStore => {
      let commits = 0;
      return Object.assign(Object.create(store) as ProcessingStore, {
        commit: async (batch: ProcessedBatch) => {
          if (++commits === 3) throw new Error('disk full');
          return store.commit(batch);
        },
      });
    };
    const sequential = stored(await run(false, failingOnce));
    const pipelined = stored(await run(true, failingOnce));
    expect(pipelined.clicks).toHaveLength(new Set(WORKLOAD.map((c) => c.clickId)).size);
    expect(pipelined.events.filter(([type]) => type === 'click.created')).toHaveLength(
      pipelined.clicks.length,
    );
    expect(pipelined).toEqual(sequential);
  });
});
