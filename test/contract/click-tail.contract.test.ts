import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import { type ClickFilterInput, clickFilterOf } from '../../src/clicks/click-filter.js';
import { matchesClickFilter } from '../../src/clicks/click-filter-match.js';
import type { StoredClick } from '../../src/clicks/click-read-store.js';
import { ClickTail, type TailReader } from '../../src/clicks/click-tail.js';
import { createLogger } from '../../src/kernel/logger.js';
import { BACKENDS } from './backends.js';
import { aProcessedClick, commitBatch } from './click-fixtures.js';

const T0 = 1_800_000_000_000;

/** A reader that records what it is given. */
function reader(workspaceId: string, position = 0): TailReader & { readonly got: StoredClick[] } {
  const got: StoredClick[] = [];
  return { workspaceId, position, got, deliver: (click) => got.push(click) };
}

async function until(ready: () => boolean): Promise<void> {
  // A guard against a hang, not a requirement on speed.
  for (let i = 0; i < 3000 && !ready(); i++) await sleep(5);
  expect(ready()).toBe(true);
}

for (const engine of BACKENDS) {
  describe(`ClickTail over the click store — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    let tail: ClickTail;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
      tail = new ClickTail(backend.clickReads, { pollMs: 5, pageSize: 2 }, createLogger('silent'));
    });
    afterEach(async () => {
      await tail.close();
      await dispose();
    });

    it('gives each reader every click of its workspace after its position, once, in ingestion order', async () => {
      const a = reader('ws_A');
      const b = reader('ws_B');
      const detachA = tail.attach(a);
      tail.attach(b);
      const clicks = [
        aProcessedClick({ workspaceId: 'ws_A', occurredAt: T0 + 3 }),
        aProcessedClick({ workspaceId: 'ws_B', occurredAt: T0 }),
        aProcessedClick({ workspaceId: 'ws_A', occurredAt: T0 + 1 }),
      ];
      await commitBatch(backend, { clicks: clicks.slice(0, 2) });
      await commitBatch(backend, { clicks: [clicks[2]!, aProcessedClick({ workspaceId: 'ws_A' })] });
      await commitBatch(backend, { clicks: [aProcessedClick({ workspaceId: 'ws_A' })] });
      await until(() => a.got.length === 4 && b.got.length === 1);
      expect(a.got.every((c) => c.click.workspaceId === 'ws_A')).toBe(true);
      expect(a.got.slice(0, 2).map((c) => c.click.clickId)).toEqual([clicks[0]!.clickId, clicks[2]!.clickId]);
      const seqs = a.got.map((c) => c.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(b.got.map((c) => c.click.clickId)).toEqual([clicks[1]!.clickId]);

      // A reader joining from an earlier place gets what it missed, while the first one gets only what is new.
      const late = reader('ws_A', a.got[1]!.seq);
      tail.attach(late);
      detachA();
      const newer = aProcessedClick({ workspaceId: 'ws_A' });
      await commitBatch(backend, { clicks: [newer] });
      await until(() => late.got.length === 3);
      expect(late.got.map((c) => c.click.clickId)).toEqual(
        [...a.got.slice(2), { click: newer }].map((c) => c.click.clickId),
      );
      expect(a.got).toHaveLength(4);
    });

    it('a reader starting at the horizon gets only clicks stored after it', async () => {
      await commitBatch(backend, { clicks: [aProcessedClick(), aProcessedClick()] });
      const fresh = reader('ws_A', await tail.horizon());
      tail.attach(fresh);
      const next = aProcessedClick();
      await commitBatch(backend, { clicks: [next] });
      await until(() => fresh.got.length === 1);
      expect(fresh.got[0]!.click.clickId).toBe(next.clickId);
    });

    it('filters in memory exactly as the store filters in SQL', async () => {
      const variants: Partial<Parameters<typeof aProcessedClick>[0]>[] = [
        {},
        { trafficClass: 'bot', isBot: true, country: 'FR' },
        { isSuspicious: true, deviceType: 'mobile', campaignId: 'spring' },
        { isUnique: false, referrerCategory: 'search', linkId: 'lnk_B' },
        { simulated: true, country: null },
        { trafficClass: 'link_preview', occurredAt: T0 + 5000, linkId: null },
      ];
      await commitBatch(backend, { clicks: variants.map((v) => aProcessedClick(v)) });
      const filters: ClickFilterInput[] = [
        {},
        { includeBots: true },
        { includeBots: true, includeSimulated: true },
        { trafficClass: 'bot' },
        { isSuspicious: true },
        { includeSuspicious: false },
        { country: 'DE' },
        { linkId: 'lnk_B', includeBots: true },
        { campaignId: 'spring' },
        { deviceType: 'mobile' },
        { referrerCategory: 'search', isUnique: false },
        { occurredAfter: T0 + 1, includeBots: true },
        { occurredBefore: T0 + 1, includeBots: true, includeSimulated: true },
      ];
      const horizon = await backend.clickReads.ingestionHorizon();
      const all = await backend.clickReads.listByIngestion(
        'ws_A',
        clickFilterOf({ includeBots: true, includeSimulated: true }),
        {
          afterSeq: 0,
          horizon,
          limit: 100,
        },
      );
      expect(all).toHaveLength(variants.length);
      for (const input of filters) {
        const filter = clickFilterOf(input);
        const bySql = await backend.clickReads.listByIngestion('ws_A', filter, {
          afterSeq: 0,
          horizon,
          limit: 100,
        });
        const inMemory = all.filter((stored) => matchesClickFilter(filter, stored.click));
        expect(
          inMemory.map((c) => c.seq),
          JSON.stringify(input),
        ).toEqual(bySql.map((c) => c.seq));
      }
    });
  });
}
