import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import { newId } from '../../src/kernel/ids.js';
import { clickDeletedEvent } from '../../src/privacy/click-deleted-event.js';
import { type ErasureRequest, NO_COUNTS } from '../../src/privacy/erasure-request.js';
import { DEFAULT_WORKSPACE_PRIVACY } from '../../src/privacy/privacy-settings.js';
import { clickCreatedEvent } from '../../src/processing/click-events.js';
import type { LinkSnapshot } from '../../src/processing/click-payload.js';
import { rawClick } from '../fixtures/raw-click.js';
import { BACKENDS } from './backends.js';
import { anEvent, aProcessedClick, commitBatch } from './click-fixtures.js';
import { seedWorkspace } from './fixtures.js';

const DAY = 86_400_000;
const T0 = 1_800_000_000_000;
const LINK: LinkSnapshot = {
  link_id: 'lnk_A',
  alias: 'spring',
  domain_id: null,
  campaign_id: null,
  channel: null,
  tags: [],
};

function aRequest(workspaceId: string, overrides: Partial<ErasureRequest> = {}): ErasureRequest {
  return {
    requestId: newId('erasure'),
    workspaceId,
    fingerprint: 'l:abc',
    selector: { kind: 'link', linkId: 'lnk_A' },
    status: 'pending',
    requestedBy: 'key_1',
    requestedAt: T0,
    startedAt: null,
    finishedAt: null,
    counts: NO_COUNTS,
    error: null,
    ...overrides,
  };
}

for (const engine of BACKENDS) {
  describe(`privacy stores — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
    });
    afterEach(async () => dispose());

    describe('WorkspacePrivacyStore', () => {
      it('gives a new workspace the defaults, keeps changes, and tells edges through the routing counter', async () => {
        const workspace = await seedWorkspace(backend);
        expect(await backend.workspacePrivacy.get(workspace.workspaceId)).toEqual(DEFAULT_WORKSPACE_PRIVACY);
        const before = await backend.links.changeCounter();
        const changed = {
          retention: { rawClickDays: 7, eventDays: 3, rollupDays: 400 },
          privacy: { ...DEFAULT_WORKSPACE_PRIVACY.privacy, ipHash: false, referrer: 'off' as const },
        };
        expect(await backend.workspacePrivacy.update(workspace.workspaceId, changed)).toBe(true);
        expect(await backend.workspacePrivacy.get(workspace.workspaceId)).toEqual(changed);
        expect(await backend.links.changeCounter()).toBeGreaterThan(before);
        expect(await backend.workspacePrivacy.list()).toEqual([
          { workspaceId: workspace.workspaceId, settings: changed },
        ]);
      });

      it('knows no unknown workspace', async () => {
        expect(await backend.workspacePrivacy.get('ws_nope')).toBeNull();
        expect(await backend.workspacePrivacy.update('ws_nope', DEFAULT_WORKSPACE_PRIVACY)).toBe(false);
      });
    });

    describe('RetentionStore', () => {
      it('deletes expired clicks in bounded batches and leaves their rollups alone', async () => {
        const old = [1, 2, 3].map((i) => aProcessedClick({ occurredAt: T0 - 100 * DAY + i }));
        const fresh = aProcessedClick({ occurredAt: T0 });
        const other = aProcessedClick({ workspaceId: 'ws_B', occurredAt: T0 - 100 * DAY });
        await commitBatch(backend, { clicks: [...old, fresh, other] });
        const cells = await backend.processing.rollupCells('ws_A');

        expect(await backend.retention.deleteClicksBefore('ws_A', T0 - 90 * DAY, 2)).toBe(2);
        expect(await backend.retention.deleteClicksBefore('ws_A', T0 - 90 * DAY, 2)).toBe(1);
        expect(await backend.retention.deleteClicksBefore('ws_A', T0 - 90 * DAY, 2)).toBe(0);
        for (const click of old) expect(await backend.processing.getClick('ws_A', click.clickId)).toBeNull();
        expect(await backend.processing.getClick('ws_A', fresh.clickId)).not.toBeNull();
        expect(await backend.processing.getClick('ws_B', other.clickId)).not.toBeNull();
        expect(await backend.processing.rollupCells('ws_A')).toEqual(cells);
      });

      it('deletes expired events and rollup cells of one workspace only', async () => {
        await commitBatch(backend, {
          events: [
            anEvent('ws_A', 'click.created', T0 - 40 * DAY),
            anEvent('ws_A', 'click.created', T0 - 1 * DAY),
            anEvent('ws_B', 'click.created', T0 - 40 * DAY),
          ],
          clicks: [aProcessedClick({ occurredAt: T0 - 500 * DAY }), aProcessedClick({ occurredAt: T0 })],
        });
        expect(await backend.retention.deleteEventsBefore('ws_A', T0 - 30 * DAY, 10)).toBe(1);
        expect(await backend.retention.deleteEventsBefore('ws_A', T0 - 30 * DAY, 10)).toBe(0);
        expect(await backend.retention.deleteEventsBefore('ws_B', T0 - 30 * DAY, 10)).toBe(1);

        expect(await backend.retention.deleteRollupsBefore('ws_A', T0 - 400 * DAY, 10)).toBe(1);
        const cells = await backend.processing.rollupCells('ws_A');
        expect(cells.map((cell) => cell.hour)).toEqual([Math.floor(T0 / 3_600_000) * 3_600_000]);
      });
    });

    describe('ErasureStore', () => {
      it('logs a request once per fingerprint: the same request gets the same receipt', async () => {
        const first = await backend.erasures.create(aRequest('ws_A'));
        const again = await backend.erasures.create(aRequest('ws_A'));
        expect(first.created).toBe(true);
        expect(again.created).toBe(false);
        expect(again.request.requestId).toBe(first.request.requestId);
        expect(await backend.erasures.get('ws_B', first.request.requestId)).toBeNull();
        expect((await backend.erasures.unfinished()).map((r) => r.requestId)).toEqual([
          first.request.requestId,
        ]);
        await backend.erasures.setStatus(first.request.requestId, 'completed', T0 + 5);
        const done = await backend.erasures.get('ws_A', first.request.requestId);
        expect([done?.status, done?.finishedAt]).toEqual(['completed', T0 + 5]);
        expect(await backend.erasures.unfinished()).toEqual([]);
      });

      it('finds clicks by visitor hash, link and time, walking by ingestion order', async () => {
        const visitor = 'b'.repeat(32);
        const mine = [0, 1, 2].map((i) => aProcessedClick({ ipHash: visitor, occurredAt: T0 + i }));
        const others = [
          aProcessedClick({ linkId: 'lnk_B' }),
          aProcessedClick({ workspaceId: 'ws_B', ipHash: visitor }),
        ];
        await commitBatch(backend, { clicks: [...mine, ...others] });
        const all = { ipHashes: null, linkId: null, from: null, until: null };
        const byVisitor = await backend.erasures.findClicks('ws_A', { ...all, ipHashes: [visitor] }, 0, 2);
        expect(byVisitor.map((f) => f.click.clickId)).toEqual(mine.slice(0, 2).map((c) => c.clickId));
        const rest = await backend.erasures.findClicks(
          'ws_A',
          { ...all, ipHashes: [visitor] },
          byVisitor[1]!.seq,
          2,
        );
        expect(rest.map((f) => f.click.clickId)).toEqual([mine[2]!.clickId]);
        expect(await backend.erasures.findClicks('ws_A', { ...all, ipHashes: [] }, 0, 10)).toEqual([]);
        const byLink = await backend.erasures.findClicks('ws_A', { ...all, linkId: 'lnk_B' }, 0, 10);
        expect(byLink.map((f) => f.click.clickId)).toEqual([others[0]!.clickId]);
        const byTime = await backend.erasures.findClicks(
          'ws_A',
          { ...all, from: T0 + 1, until: T0 + 2 },
          0,
          10,
        );
        expect(byTime.map((f) => f.click.clickId)).toEqual([mine[1]!.clickId]);
      });

      it('finds a visitor’s clicks from a day on (the oldest held salt’s), in ingestion order, page by page', async () => {
        const visitor = 'd'.repeat(32);
        // Processed late: stored before clicks that occurred after it.
        const late = aProcessedClick({ ipHash: visitor, occurredAt: T0 + 3 });
        const mine = [0, 1, 2].map((i) => aProcessedClick({ ipHash: visitor, occurredAt: T0 + 10 + i }));
        const beforeTheDays = aProcessedClick({ ipHash: visitor, occurredAt: T0 - 1 });
        const someoneElse = aProcessedClick({ ipHash: 'e'.repeat(32), occurredAt: T0 + 5 });
        await commitBatch(backend, { clicks: [mine[2]!, late, beforeTheDays, someoneElse] });
        await commitBatch(backend, { clicks: [mine[0]!, mine[1]!] });
        const selection = { ipHashes: [visitor, 'f'.repeat(32)], linkId: null, from: T0, until: null };
        const first = await backend.erasures.findClicks('ws_A', selection, 0, 2);
        const rest = await backend.erasures.findClicks('ws_A', selection, first.at(-1)!.seq, 2);
        expect([...first, ...rest].map((f) => f.click.clickId)).toEqual(
          [mine[2]!, late, mine[0]!, mine[1]!].map((c) => c.clickId),
        );
        expect(rest).toHaveLength(2);
        expect(await backend.erasures.findClicks('ws_A', selection, rest.at(-1)!.seq, 2)).toEqual([]);
      });

      it('erases a batch: clicks, their rollup counts and events go; click.deleted comes; counts add up', async () => {
        const { request } = await backend.erasures.create(aRequest('ws_A'));
        const erased = [aProcessedClick(), aProcessedClick({ isUnique: false })];
        const kept = aProcessedClick();
        const at = T0 + 10;
        await commitBatch(backend, {
          clicks: [...erased, kept],
          events: [...erased, kept].map((click) => clickCreatedEvent(click, LINK, at)),
        });
        const before = await backend.processing.rollupCells('ws_A');
        const total = (cells: typeof before) => cells.reduce((sum, cell) => sum + cell.clicks, 0);

        const counts = await backend.erasures.eraseBatch({
          requestId: request.requestId,
          workspaceId: 'ws_A',
          clicks: erased,
          events: erased.map((click) => clickDeletedEvent(click, LINK, request.requestId, at + 1)),
        });
        expect(counts).toMatchObject({ clicksErased: 2, eventsPurged: 2, rollupClicksSubtracted: 2 });
        for (const click of erased)
          expect(await backend.processing.getClick('ws_A', click.clickId)).toBeNull();
        expect(await backend.processing.getClick('ws_A', kept.clickId)).not.toBeNull();
        const after = await backend.processing.rollupCells('ws_A');
        expect(total(after)).toBe(total(before) - 2);
        // The unique-and-repeated split loses exactly the erased ones: one of each.
        expect(after.find((cell) => !cell.isUnique)).toBeUndefined();

        const events = await backend.events.listAfter('ws_A', null, 100);
        const carried = (type: string) =>
          events.filter((e) => e.eventType === type).map((e) => JSON.parse(e.payload).data.click.click_id);
        expect(carried('click.created')).toEqual([kept.clickId]);
        expect(carried('click.deleted')).toEqual(erased.map((click) => click.clickId));
        // The same batch again (a second runner of the same request) subtracts and announces nothing.
        const twice = await backend.erasures.eraseBatch({
          requestId: request.requestId,
          workspaceId: 'ws_A',
          clicks: erased,
          events: erased.map((click) => clickDeletedEvent(click, LINK, request.requestId, at + 2)),
        });
        expect(twice).toEqual({});
        expect(total(await backend.processing.rollupCells('ws_A'))).toBe(total(before) - 2);
        expect((await backend.events.listAfter('ws_A', null, 100)).length).toBe(3);

        const logged = await backend.erasures.get('ws_A', request.requestId);
        expect(logged?.counts).toMatchObject({ clicksErased: 2, eventsPurged: 2, rollupClicksSubtracted: 2 });
      });
    });

    describe('ClickLogPruning', () => {
      it('deletes raw clicks by age, by visitor (and user agent) and by link; drops user agents once processed', async () => {
        const pruning = backend.clickLogPruning;
        if (pruning === null) return; // this log expires raw clicks by its own max age
        const ua = 'Mozilla/5.0 (Visitor)';
        const clicks = [
          rawClick({
            clickId: newId('click'),
            workspaceId: 'ws_A',
            occurredAt: T0 - 100 * DAY,
            headers: { 'user-agent': 'x' },
          }),
          rawClick({
            clickId: newId('click'),
            workspaceId: 'ws_A',
            occurredAt: T0,
            ipHash: 'c'.repeat(32),
            headers: { 'user-agent': ua },
          }),
          rawClick({
            clickId: newId('click'),
            workspaceId: 'ws_A',
            occurredAt: T0,
            ipHash: 'c'.repeat(32),
            headers: { 'user-agent': 'other' },
          }),
          rawClick({
            clickId: newId('click'),
            workspaceId: 'ws_A',
            occurredAt: T0,
            linkId: 'lnk_Z',
            headers: { 'user-agent': 'y' },
          }),
          rawClick({ clickId: newId('click'), workspaceId: 'ws_B', occurredAt: T0 - 100 * DAY }),
        ];
        await backend.clickLog.appendMany(clicks);
        expect(await pruning.deleteBefore('ws_A', T0 - 90 * DAY, 10)).toBe(1);
        expect(await pruning.erase('ws_A', { ipHashes: ['c'.repeat(32)], userAgent: ua }, 10)).toBe(1);
        expect(await pruning.erase('ws_A', { ipHashes: [] }, 10)).toBe(0);
        expect(await pruning.erase('ws_A', { linkId: 'lnk_Z' }, 10)).toBe(1);
        expect(await pruning.dropUserAgents('ws_A', Number.MAX_SAFE_INTEGER, 10)).toBeGreaterThan(0);
        // The agent is gone from what is left: nothing matches it any more.
        expect(await pruning.erase('ws_A', { userAgent: 'other' }, 10)).toBe(0);
        expect(await pruning.erase('ws_A', { ipHashes: ['c'.repeat(32)] }, 10)).toBe(1);
        expect(await pruning.deleteBefore('ws_B', T0 - 90 * DAY, 10)).toBe(1);
        await pruning.scrubFreedSpace();
      });
    });
  });
}
