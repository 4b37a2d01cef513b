import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import { MAX_MERGED_LINKS } from '../../src/adapters/sql/sql-click-read-store.js';
import { type ClickFilter, type ClickFilterInput, clickFilterOf } from '../../src/clicks/click-filter.js';
import { ClickList } from '../../src/clicks/click-list.js';
import type { TrafficClass } from '../../src/processing/classification/traffic-class.js';
import type { ProcessedClick } from '../../src/processing/processed-click.js';
import { BACKENDS } from './backends.js';
import { aProcessedClick, commitBatch, prng } from './click-fixtures.js';
import { aLink, linkEvent, seedWorkspace } from './fixtures.js';

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;

/** A click as the oracle knows it: with the order the test committed it in (which `seq` follows). */
interface Seeded {
  readonly click: ProcessedClick;
  readonly order: number;
}

/** The filter semantics, written independently of the adapter: the oracle every page is checked against. */
function matches(seeded: Seeded, workspaceId: string, filter: ClickFilter, tags: Map<string, Set<string>>) {
  const c = seeded.click;
  return (
    c.workspaceId === workspaceId &&
    (filter.linkId === null || c.linkId === filter.linkId) &&
    (filter.campaignId === null || c.campaignId === filter.campaignId) &&
    (filter.tag === null || (c.linkId !== null && (tags.get(c.linkId)?.has(filter.tag) ?? false))) &&
    (filter.occurredFrom === null || c.occurredAt >= filter.occurredFrom) &&
    (filter.occurredUntil === null || c.occurredAt < filter.occurredUntil) &&
    (filter.country === null || c.country === filter.country) &&
    (filter.deviceType === null || c.deviceType === filter.deviceType) &&
    (filter.referrerCategory === null || c.referrerCategory === filter.referrerCategory) &&
    (filter.trafficClass === null || c.trafficClass === filter.trafficClass) &&
    (filter.isUnique === null || c.isUnique === filter.isUnique) &&
    (filter.isSuspicious === null || c.isSuspicious === filter.isSuspicious) &&
    (filter.simulated === null || c.simulated === filter.simulated)
  );
}

const newestFirst = (a: Seeded, b: Seeded) => b.click.occurredAt - a.click.occurredAt || b.order - a.order;

for (const engine of BACKENDS) {
  describe(`ClickReadStore contract — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    let ws: string;
    let otherWs: string;
    let list: ClickList;
    let committed = 0;

    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
      ws = (await seedWorkspace(backend)).workspaceId;
      otherWs = (await seedWorkspace(backend)).workspaceId;
      list = new ClickList(backend.clickReads);
      committed = 0;
    });
    afterEach(async () => dispose());

    async function commit(clicks: ProcessedClick[]): Promise<Seeded[]> {
      await commitBatch(backend, { clicks });
      return clicks.map((click) => ({ click, order: committed++ }));
    }

    async function walkNewestFirst(filter: ClickFilter, pageSize: number, between?: () => Promise<void>) {
      const ids: string[] = [];
      let position = null;
      for (let pages = 0; pages < 10_000; pages++) {
        const page = await list.newestFirst(ws, filter, position, pageSize);
        expect(page.clicks.length).toBeLessThanOrEqual(pageSize);
        ids.push(...page.clicks.map((stored) => stored.click.clickId));
        if (page.next === null) return ids;
        expect(page.clicks).toHaveLength(pageSize);
        position = page.next;
        await between?.();
      }
      throw new Error('the walk did not end');
    }

    async function walkByIngestion(filter: ClickFilter, pageSize: number, from = 0) {
      const ids: string[] = [];
      let after = from;
      for (let pages = 0; pages < 10_000; pages++) {
        const page = await list.byIngestion(ws, filter, after, pageSize);
        ids.push(...page.clicks.map((stored) => stored.click.clickId));
        expect(page.nextSeq).toBeGreaterThanOrEqual(after);
        after = page.nextSeq;
        if (!page.hasMore) return { ids, after };
      }
      throw new Error('the walk did not end');
    }

    it('reads a click back exactly as stored, only in its own workspace', async () => {
      const click = aProcessedClick({ workspaceId: ws, reasons: ['datacenter_network'], isSuspicious: true });
      await commit([click]);
      const stored = await backend.clickReads.get(ws, click.clickId);
      expect(stored?.click).toEqual(click);
      expect(stored?.seq).toBeGreaterThan(0);
      expect(await backend.clickReads.get(otherWs, click.clickId)).toBeNull();
      expect(await backend.clickReads.get(ws, 'clk_01E0000000000000000000000A')).toBeNull();
      expect(await backend.clickReads.ingestionHorizon()).toBe(stored?.seq);
    });

    it('answers every filter and combination exactly, in both orders, across pages and ties', async () => {
      const random = prng(20261127);
      // 20 links: campaigns c0–c2 (or none); tag `few` on 3 links, `many` on more than can be merged.
      const links = Array.from({ length: 20 }, (_, i) =>
        aLink(ws, {
          campaignId: i % 4 === 3 ? null : `c${i % 3}`,
          tags: [...(i < 3 ? ['few'] : []), ...(i < MAX_MERGED_LINKS + 2 ? ['many'] : [])],
        }),
      );
      const foreignLink = aLink(otherWs, { tags: ['few', 'many'], campaignId: 'c0' });
      for (const link of [...links, foreignLink])
        await backend.links.insert(link, linkEvent(link, 'link.created'));
      const tags = new Map([...links, foreignLink].map((link) => [link.linkId, new Set(link.tags)]));

      const classes: TrafficClass[] = ['human', 'human', 'human', 'bot', 'link_preview', 'prefetch'];
      const times = Array.from({ length: 40 }, (_, i) => T0 + i * MINUTE); // few distinct times: many ties
      const make = (workspaceId: string): ProcessedClick => {
        const link = workspaceId === ws ? random.pick([...links, null]) : foreignLink;
        const trafficClass = random.pick(classes);
        return aProcessedClick({
          workspaceId,
          linkId: link?.linkId ?? null,
          // Mostly the link's campaign, sometimes the one it had before.
          campaignId: random.next() < 0.85 ? (link?.campaignId ?? null) : random.pick(['c0', 'c1', null]),
          occurredAt: random.pick(times),
          country: random.pick(['DE', 'FR', 'US', null]),
          deviceType: random.pick(['desktop', 'mobile', 'tablet'] as const),
          referrerCategory: random.pick(['direct', 'search', 'social', 'email'] as const),
          trafficClass,
          isBot: trafficClass !== 'human',
          isUnique: trafficClass === 'human' && random.next() < 0.6,
          isSuspicious: random.next() < 0.15,
          simulated: random.next() < 0.05,
        });
      };
      const seeded: Seeded[] = [];
      // Several batches, each in random time order: ingestion order is not time order.
      for (let batch = 0; batch < 6; batch++) {
        seeded.push(...(await commit(Array.from({ length: 90 }, () => make(batch === 5 ? otherWs : ws)))));
      }

      const link0 = links[0]!.linkId;
      const link5 = links[5]!.linkId;
      const cases: ClickFilterInput[] = [
        {},
        { includeBots: true },
        { includeBots: true, includeSimulated: true },
        { linkId: link5 },
        { linkId: link5, includeBots: true, country: 'DE' },
        { campaignId: 'c1', includeBots: true },
        { campaignId: 'c0', deviceType: 'mobile' },
        { tag: 'few', includeBots: true },
        { tag: 'few', campaignId: 'c1', includeBots: true },
        { tag: 'many' },
        { tag: 'many', includeBots: true, referrerCategory: 'social' },
        // Link 18 is in campaign c0 but does not carry `many`.
        { tag: 'many', campaignId: 'c0', includeBots: true },
        { tag: 'many', linkId: link0, includeBots: true },
        { tag: 'few', linkId: link5 },
        { tag: 'nobody-has-this' },
        { linkId: foreignLink.linkId, includeBots: true },
        { trafficClass: 'bot' },
        { trafficClass: 'link_preview', includeBots: false, country: 'FR' },
        { isUnique: false, includeBots: true },
        { isSuspicious: true, includeSuspicious: false },
        { includeSuspicious: false, includeBots: true },
        { occurredAfter: times[10]!, occurredBefore: times[20]!, includeBots: true },
        { occurredAfter: times[5]!, linkId: link0, includeBots: true, includeSimulated: true },
        {
          campaignId: 'c0',
          country: 'US',
          deviceType: 'desktop',
          referrerCategory: 'direct',
          isUnique: true,
          includeSuspicious: false,
          occurredBefore: times[30]!,
        },
      ];
      for (const input of cases) {
        const filter = clickFilterOf(input);
        const expected = seeded.filter((s) => matches(s, ws, filter, tags));
        const label = JSON.stringify(input);
        expect(await walkNewestFirst(filter, 7), label).toEqual(
          [...expected].sort(newestFirst).map((s) => s.click.clickId),
        );
        expect((await walkByIngestion(filter, 7)).ids, label).toEqual(
          [...expected].sort((a, b) => a.order - b.order).map((s) => s.click.clickId),
        );
      }
    });

    it('a newest-first walk is the snapshot of its first page: clicks stored meanwhile neither repeat nor shift it', async () => {
      const seeded = await commit(
        Array.from({ length: 60 }, (_, i) =>
          aProcessedClick({ workspaceId: ws, occurredAt: T0 + (i % 20) * MINUTE }),
        ),
      );
      const snapshot = [...seeded].sort(newestFirst).map((s) => s.click.clickId);
      let round = 0;
      const walked = await walkNewestFirst(clickFilterOf({}), 8, async () => {
        round++;
        // New clicks on top, and late-processed ones both above and below where the walk stands.
        await commit([
          aProcessedClick({ workspaceId: ws, occurredAt: T0 + 60 * MINUTE + round }),
          aProcessedClick({ workspaceId: ws, occurredAt: T0 + 19 * MINUTE }),
          aProcessedClick({ workspaceId: ws, occurredAt: T0 + (10 - (round % 10)) * MINUTE }),
          aProcessedClick({ workspaceId: ws, occurredAt: T0 }),
        ]);
      });
      expect(walked).toEqual(snapshot);
      // A new walk sees everything, each once.
      const all = await walkNewestFirst(clickFilterOf({}), 1000);
      expect(all).toHaveLength(60 + round * 4);
      expect(new Set(all).size).toBe(all.length);
    });

    it('an ingestion walk returns every click once as it is stored, late-processed ones included', async () => {
      await commit(
        Array.from({ length: 10 }, (_, i) => aProcessedClick({ workspaceId: ws, occurredAt: T0 + i })),
      );
      const first = await walkByIngestion(clickFilterOf({ includeBots: true }), 3);
      expect(first.ids).toHaveLength(10);
      const late = await commit([
        aProcessedClick({ workspaceId: ws, occurredAt: T0 - 86_400_000 }),
        aProcessedClick({ workspaceId: otherWs, occurredAt: T0 + 5 }),
        aProcessedClick({ workspaceId: ws, occurredAt: T0 + 5, trafficClass: 'bot', isBot: true }),
      ]);
      const second = await walkByIngestion(clickFilterOf({ includeBots: true }), 3, first.after);
      expect(second.ids).toEqual([late[0]!.click.clickId, late[2]!.click.clickId]);
      const third = await walkByIngestion(clickFilterOf({ includeBots: true }), 3, second.after);
      expect(third.ids).toEqual([]);
      expect(third.after).toBe(second.after);
    });

    it('a short ingestion page moves past clicks the filter skipped, up to the horizon', async () => {
      await commit(Array.from({ length: 5 }, () => aProcessedClick({ workspaceId: ws, country: 'FR' })));
      const page = await list.byIngestion(ws, clickFilterOf({ country: 'DE' }), 0, 10);
      expect(page.clicks).toEqual([]);
      expect(page.hasMore).toBe(false);
      expect(page.nextSeq).toBe(await backend.clickReads.ingestionHorizon());
    });
  });
}
