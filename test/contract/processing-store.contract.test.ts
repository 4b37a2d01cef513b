import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import { EVENT_SCHEMA_VERSION, toStoredEvent } from '../../src/events/event-envelope.js';
import { newId } from '../../src/kernel/ids.js';
import { PRIVACY_MODE, type ProcessedClick } from '../../src/processing/processed-click.js';
import { type ProcessedBatch, visitorWindowId } from '../../src/processing/processing-store.js';
import { rollupKeyOf } from '../../src/processing/rollups/rollup-deltas.js';
import { BACKENDS } from './backends.js';

function aClick(overrides: Partial<ProcessedClick> = {}): ProcessedClick {
  return {
    clickId: newId('click'),
    workspaceId: 'ws_A',
    linkId: 'lnk_A',
    domainId: null,
    slug: 'spring',
    campaignId: 'c1',
    occurredAt: 1_800_000_000_000,
    receivedAt: 1_800_000_000_000,
    processedAt: 1_800_000_000_005,
    method: 'GET',
    redirectStatus: 'success',
    blockReason: null,
    ipHash: 'a'.repeat(32),
    ipPrefix: '203.0.113.0/24',
    country: 'DE',
    region: null,
    asn: 3320,
    deviceType: 'mobile',
    osFamily: 'iOS',
    browserFamily: 'Mobile Safari',
    referrerCategory: 'social',
    referrerHost: 'l.instagram.com',
    language: 'de',
    isUnique: true,
    uniquenessRule: 'link_visitor_24h',
    trafficClass: 'human',
    isBot: false,
    botScore: 0,
    isSuspicious: false,
    fraudReason: null,
    reasons: [],
    privacyMode: PRIVACY_MODE,
    simulated: false,
    ...overrides,
  };
}

function batchOf(
  clicks: ProcessedClick[],
  position: number | null,
  extra: Partial<ProcessedBatch> = {},
): ProcessedBatch {
  return {
    consumer: 'processor',
    position,
    at: 1_800_000_000_010,
    clicks,
    relabels: [],
    visitorWindows: [],
    rollups: clicks.map((click) => ({ ...rollupKeyOf(click), clicks: 1 })),
    events: clicks.map((click) =>
      toStoredEvent({
        schema_version: EVENT_SCHEMA_VERSION,
        event_id: newId('event'),
        event_type: 'click.created',
        occurred_at: new Date(click.occurredAt).toISOString(),
        workspace_id: click.workspaceId,
        data: { click: { click_id: click.clickId } },
      }),
    ),
    ...extra,
  };
}

for (const engine of BACKENDS) {
  describe(`ProcessingStore contract — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
    });
    afterEach(async () => dispose());

    it('commits clicks, events and the cursor together and reads clicks back unchanged', async () => {
      const first = aClick();
      const second = aClick({
        linkId: null,
        country: null,
        asn: null,
        reasons: ['ua_known_bot'],
        trafficClass: 'bot',
        isBot: true,
        botScore: 0.95,
      });
      expect(await backend.processing.readCursor('processor')).toBe(0);
      await backend.processing.commit(batchOf([first, second], 42));
      expect(await backend.processing.readCursor('processor')).toBe(42);
      expect(await backend.processing.readCursor('other')).toBe(0);
      expect(await backend.processing.getClick('ws_A', first.clickId)).toEqual(first);
      expect(await backend.processing.getClick('ws_A', second.clickId)).toEqual(second);
      expect(await backend.processing.getClick('ws_B', first.clickId)).toBeNull();
      expect(await backend.processing.knownClickIds([first.clickId, 'clk_unknown', second.clickId])).toEqual(
        new Set([first.clickId, second.clickId]),
      );
      expect(await backend.events.listAfter('ws_A', null, 10)).toHaveLength(2);
    });

    it('leaves the cursor alone for a batch without a position (the log keeps the progress)', async () => {
      await backend.processing.commit(batchOf([aClick()], 7));
      const click = aClick();
      await backend.processing.commit(batchOf([click], null));
      expect(await backend.processing.readCursor('processor')).toBe(7);
      expect(await backend.processing.getClick('ws_A', click.clickId)).toEqual(click);
    });

    it('writes nothing at all when a click of the batch is already stored', async () => {
      const stored = aClick();
      await backend.processing.commit(batchOf([stored], 1));
      const fresh = aClick();
      await expect(backend.processing.commit(batchOf([fresh, stored], 2))).rejects.toMatchObject({
        name: 'ClicksAlreadyStoredError',
        clickIds: [stored.clickId],
      });
      expect(await backend.processing.readCursor('processor')).toBe(1);
      expect(await backend.processing.getClick('ws_A', fresh.clickId)).toBeNull();
      expect(await backend.events.listAfter('ws_A', null, 10)).toHaveLength(1);
    });

    it('adds rollup deltas to existing cells, and applies re-labels', async () => {
      const click = aClick();
      await backend.processing.commit(batchOf([click], 1));
      await backend.processing.commit(batchOf([aClick()], 2));
      const relabelled = {
        ...click,
        trafficClass: 'security_scanner' as const,
        isBot: true,
        botScore: 0.8,
        isSuspicious: true,
        fraudReason: 'burst' as const,
        reasons: ['burst_same_visitor_link' as const],
      };
      await backend.processing.commit(
        batchOf([], 3, {
          relabels: [{ clickId: click.clickId, verdict: relabelled }],
          rollups: [
            { ...rollupKeyOf(click), clicks: -1 },
            { ...rollupKeyOf(relabelled), clicks: 1 },
          ],
        }),
      );
      expect(await backend.processing.getClick('ws_A', click.clickId)).toEqual(relabelled);
      expect(await backend.processing.rollupCells('ws_A')).toEqual([
        { ...rollupKeyOf(click), clicks: 1 },
        { ...rollupKeyOf(relabelled), clicks: 1 },
      ]);
      expect(await backend.processing.rollupCells('ws_B')).toEqual([]);
    });

    it('keeps visitor windows per link and visitor, and forgets old ones', async () => {
      await backend.processing.commit(
        batchOf([], 1, {
          visitorWindows: [
            { linkId: 'lnk_A', visitorKey: 'v1', windowStart: 100 },
            { linkId: 'lnk_A', visitorKey: 'v2', windowStart: 200 },
            { linkId: 'lnk_B', visitorKey: 'v1', windowStart: 300 },
          ],
        }),
      );
      await backend.processing.commit(
        batchOf([], 2, { visitorWindows: [{ linkId: 'lnk_A', visitorKey: 'v1', windowStart: 400 }] }),
      );
      const windows = await backend.processing.visitorWindows([
        { linkId: 'lnk_A', visitorKey: 'v1' },
        { linkId: 'lnk_B', visitorKey: 'v1' },
        { linkId: 'lnk_B', visitorKey: 'v2' },
      ]);
      expect(windows).toEqual(
        new Map([
          [visitorWindowId('lnk_A', 'v1'), 400],
          [visitorWindowId('lnk_B', 'v1'), 300],
        ]),
      );
      expect(await backend.processing.deleteVisitorWindowsBefore(301)).toBe(2);
      expect((await backend.processing.visitorWindows([{ linkId: 'lnk_A', visitorKey: 'v1' }])).size).toBe(1);
    });
  });
}
