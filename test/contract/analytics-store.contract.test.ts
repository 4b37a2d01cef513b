import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import type { CountRule, RollupScope } from '../../src/analytics/analytics-store.js';
import type { TrafficClass } from '../../src/processing/classification/traffic-class.js';
import type { RollupDelta } from '../../src/processing/rollups/rollup-deltas.js';
import { BACKENDS } from './backends.js';
import { commitBatch, prng } from './click-fixtures.js';
import { aLink, linkEvent, seedWorkspace } from './fixtures.js';

const HOUR = 3_600_000;
const H0 = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);

const RULES: CountRule[] = [
  { humansOnly: true, uniqueOnly: false },
  { humansOnly: false, uniqueOnly: false },
  { humansOnly: true, uniqueOnly: true },
  { humansOnly: false, uniqueOnly: true },
];

/** The oracle: sums of rollup deltas, computed in the test. */
function sum(cells: readonly RollupDelta[], keep: (cell: RollupDelta) => boolean) {
  let clicks = 0;
  let uniqueClicks = 0;
  for (const cell of cells) {
    if (!keep(cell)) continue;
    clicks += cell.clicks;
    if (cell.isUnique) uniqueClicks += cell.clicks;
  }
  return { clicks, uniqueClicks };
}

const counted = (rule: CountRule) => (cell: RollupDelta) =>
  (!rule.humansOnly || cell.trafficClass === 'human') && (!rule.uniqueOnly || cell.isUnique);

for (const engine of BACKENDS) {
  describe(`AnalyticsStore contract — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    let ws: string;
    let otherWs: string;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
      ws = (await seedWorkspace(backend)).workspaceId;
      otherWs = (await seedWorkspace(backend)).workspaceId;
    });
    afterEach(async () => dispose());

    const scope = (overrides: Partial<RollupScope> = {}): RollupScope => ({
      workspaceId: ws,
      from: H0,
      to: H0 + 48 * HOUR,
      linkId: null,
      campaignId: null,
      tag: null,
      ...overrides,
    });

    it('counts per bucket of hours, per class and per breakdown value, for every link scope and count rule', async () => {
      const random = prng(42);
      const links = Array.from({ length: 6 }, (_, i) =>
        aLink(ws, { campaignId: i < 3 ? 'spring' : null, tags: i % 2 === 0 ? ['email'] : [] }),
      );
      const foreign = aLink(otherWs, { campaignId: 'spring', tags: ['email'] });
      for (const link of [...links, foreign])
        await backend.links.insert(link, linkEvent(link, 'link.created'));

      const classes: TrafficClass[] = ['human', 'human', 'bot', 'link_preview', 'security_scanner'];
      const cells: RollupDelta[] = [];
      for (let i = 0; i < 400; i++) {
        const trafficClass = random.pick(classes);
        const foreignCell = i % 10 === 0;
        cells.push({
          workspaceId: foreignCell ? otherWs : ws,
          // '' is a click on an unknown slug: never counted.
          linkId: foreignCell ? foreign.linkId : i % 17 === 0 ? null : random.pick(links).linkId,
          hour: H0 + Math.floor(random.next() * 50) * HOUR - HOUR, // some outside the range on both sides
          country: random.pick(['DE', 'FR', null]),
          deviceType: random.pick(['desktop', 'mobile']),
          referrerCategory: random.pick(['direct', 'email']),
          trafficClass,
          isUnique: trafficClass === 'human' && random.next() < 0.5,
          clicks: 1 + Math.floor(random.next() * 3),
        });
      }
      // Re-labels: take some back, in the same cells; one cell nets to zero.
      cells.push({ ...cells[1]!, clicks: -cells[1]!.clicks }, { ...cells[2]!, clicks: -1 });
      for (let i = 0; i < cells.length; i += 100)
        await commitBatch(backend, { rollups: cells.slice(i, i + 100) });

      const linkSets: [Partial<RollupScope>, (linkId: string | null) => boolean][] = [
        [{}, (id) => id !== null],
        [{ linkId: links[2]!.linkId }, (id) => id === links[2]!.linkId],
        [{ campaignId: 'spring' }, (id) => links.slice(0, 3).some((l) => l.linkId === id)],
        [
          { tag: 'email' },
          (id) => links.filter((l) => l.tags.includes('email')).some((l) => l.linkId === id),
        ],
        [{ tag: 'email', campaignId: 'spring' }, (id) => id === links[0]!.linkId || id === links[2]!.linkId],
        [{ linkId: foreign.linkId }, () => false],
        [{ tag: 'nobody' }, () => false],
      ];
      for (const [overrides, inLinks] of linkSets) {
        const s = scope(overrides);
        const inScope = (cell: RollupDelta) =>
          cell.workspaceId === ws && inLinks(cell.linkId) && cell.hour >= s.from && cell.hour < s.to;
        for (const rule of RULES) {
          const label = JSON.stringify({ overrides, rule });
          const keep = (cell: RollupDelta) => inScope(cell) && counted(rule)(cell);

          for (const dimension of ['country', 'device_type', 'referrer_category', 'link_id'] as const) {
            const keyOf = (cell: RollupDelta) =>
              dimension === 'country'
                ? cell.country
                : dimension === 'device_type'
                  ? cell.deviceType
                  : dimension === 'referrer_category'
                    ? cell.referrerCategory
                    : cell.linkId;
            const keys = [...new Set(cells.filter(keep).map(keyOf))];
            const expected = keys
              .map((key) => ({ key, ...sum(cells, (cell) => keep(cell) && keyOf(cell) === key) }))
              .filter((row) => row.clicks !== 0)
              .sort((a, b) => b.clicks - a.clicks || String(a.key ?? '').localeCompare(String(b.key ?? '')));
            expect(
              await backend.analytics.countsBy(s, rule, dimension, 1000),
              `${label} ${dimension}`,
            ).toEqual(expected);
            expect(await backend.analytics.countsBy(s, rule, dimension, 1), `${label} ${dimension}`).toEqual(
              expected.slice(0, 1),
            );
          }
        }
        // Buckets of uneven length, one outside the cells' hours, ending at the scope's end.
        const boundaries = [s.from, s.from + 5 * HOUR, s.from + 6 * HOUR, s.from + 30 * HOUR, s.to];
        for (const rule of RULES) {
          expect(
            await backend.analytics.countsByBucket(s, rule, boundaries),
            JSON.stringify({ overrides, rule }),
          ).toEqual(
            boundaries
              .slice(0, -1)
              .map((start, i) =>
                sum(
                  cells,
                  (cell) =>
                    inScope(cell) &&
                    counted(rule)(cell) &&
                    cell.hour >= start &&
                    cell.hour < boundaries[i + 1]!,
                ),
              ),
          );
        }
        const byClass: Record<string, { clicks: number; uniqueClicks: number }> = {};
        for (const trafficClass of new Set(classes)) {
          const counts = sum(cells, (cell) => inScope(cell) && cell.trafficClass === trafficClass);
          if (counts.clicks !== 0) byClass[trafficClass] = counts;
        }
        expect(await backend.analytics.countsByClass(s), JSON.stringify(overrides)).toEqual(byClass);
      }
    });

    it('keeps the workspace-wide hourly series equal to the rollups as cells are added and re-labelled', async () => {
      const link = aLink(ws);
      await backend.links.insert(link, linkEvent(link, 'link.created'));
      const cell: RollupDelta = {
        workspaceId: ws,
        linkId: link.linkId,
        hour: H0,
        country: 'DE',
        deviceType: 'mobile',
        referrerCategory: 'direct',
        trafficClass: 'human',
        isUnique: true,
        clicks: 3,
      };
      await commitBatch(backend, { rollups: [cell, { ...cell, linkId: null, clicks: 5 }] });
      await commitBatch(backend, {
        rollups: [
          { ...cell, clicks: -1 },
          { ...cell, trafficClass: 'bot', isUnique: false, clicks: 1 },
        ],
      });
      const whole = scope();
      const viaLink = scope({ linkId: link.linkId });
      const boundaries = [H0 - HOUR, H0, H0 + HOUR, H0 + 48 * HOUR];
      for (const rule of RULES) {
        expect(await backend.analytics.countsByBucket(whole, rule, boundaries)).toEqual(
          await backend.analytics.countsByBucket(viaLink, rule, boundaries),
        );
      }
      expect(await backend.analytics.countsByBucket(whole, RULES[1]!, boundaries)).toEqual([
        { clicks: 0, uniqueClicks: 0 },
        { clicks: 3, uniqueClicks: 2 },
        { clicks: 0, uniqueClicks: 0 },
      ]);
      expect(await backend.analytics.countsByClass(whole)).toEqual(
        await backend.analytics.countsByClass(viaLink),
      );
      expect(await backend.analytics.countsByClass(whole)).toEqual({
        human: { clicks: 2, uniqueClicks: 2 },
        bot: { clicks: 1, uniqueClicks: 0 },
      });
      // Taking the last clicks of an hour back leaves nothing counted.
      await commitBatch(backend, {
        rollups: [
          { ...cell, clicks: -2 },
          { ...cell, trafficClass: 'bot', isUnique: false, clicks: -1 },
        ],
      });
      expect(await backend.analytics.countsByBucket(whole, RULES[1]!, boundaries)).toEqual(
        boundaries.slice(1).map(() => ({ clicks: 0, uniqueClicks: 0 })),
      );
      expect(await backend.analytics.countsByClass(whole)).toEqual({});
      expect(await backend.analytics.countsByClass(viaLink)).toEqual({});
      expect(await backend.analytics.countsByClass(scope({ workspaceId: otherWs }))).toEqual({});
    });

    it('tells when the processor last committed', async () => {
      expect(await backend.analytics.processedAsOf('processor')).toBeNull();
      await commitBatch(backend, { at: 1_800_000_123_456 });
      expect(await backend.analytics.processedAsOf('processor')).toBe(1_800_000_123_456);
      expect(await backend.analytics.processedAsOf('someone-else')).toBeNull();
    });
  });
}
