import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import type { StoredEvent } from '../../src/events/event-envelope.js';
import { EVENT_COMMIT_SLACK_MS, EventFeed, eventIdBound } from '../../src/events/event-feed.js';
import { BACKENDS } from './backends.js';
import { anEvent, commitBatch } from './click-fixtures.js';

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;

for (const engine of BACKENDS) {
  describe(`EventFeedStore contract — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
    });
    afterEach(async () => dispose());

    /** Commits each group in its own transaction, in the order given. */
    async function write(...groups: StoredEvent[][]): Promise<void> {
      for (const events of groups) await commitBatch(backend, { events });
    }

    const ids = (events: readonly { eventId: string }[]) => events.map((event) => event.eventId);
    const all = { types: null, eventIdFrom: null, eventIdBefore: null } as const;

    it('lists a workspace’s events in commit order, by type, within id bounds and seq ranges', async () => {
      // Written out of id order: the second transaction's event was minted first.
      const late = anEvent('ws_A', 'click.created', T0);
      const a = anEvent('ws_A', 'link.created', T0 + MINUTE);
      const b = anEvent('ws_A', 'click.created', T0 + 2 * MINUTE);
      const foreign = anEvent('ws_B', 'link.created', T0 + 2 * MINUTE);
      const c = anEvent('ws_A', 'click.flagged', T0 + 3 * MINUTE);
      const d = anEvent('ws_A', 'link.deleted', T0 + 4 * MINUTE);
      await write([a, b], [late, foreign], [c, d]);
      const horizon = await backend.eventFeed.horizon();
      const page = (conditions = {}, afterSeq = 0, limit = 100) =>
        backend.eventFeed.list('ws_A', { ...all, ...conditions }, { afterSeq, throughSeq: horizon, limit });

      const everything = await page();
      expect(everything.map((row) => row.event)).toEqual([a, b, late, c, d]);
      const seqs = everything.map((row) => row.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect(horizon).toBeGreaterThanOrEqual(seqs.at(-1)!);

      expect(ids((await page({ types: ['click.created'] })).map((r) => r.event))).toEqual(ids([b, late]));
      expect(
        ids((await page({ types: ['link.deleted', 'click.created', 'link.created'] })).map((r) => r.event)),
      ).toEqual(ids([a, b, late, d]));
      expect(
        ids((await page({ types: ['click.created', 'link.created'] }, 0, 2)).map((r) => r.event)),
      ).toEqual(ids([a, b]));
      expect(ids((await page({}, seqs[1]!, 2)).map((r) => r.event))).toEqual(ids([late, c]));
      expect(
        ids(
          (
            await page({
              eventIdFrom: eventIdBound(T0 + MINUTE),
              eventIdBefore: eventIdBound(T0 + 4 * MINUTE),
            })
          ).map((r) => r.event),
        ),
      ).toEqual(ids([a, b, c]));
      expect(
        await backend.eventFeed.list('ws_A', all, { afterSeq: seqs[1]!, throughSeq: seqs[2]!, limit: 10 }),
      ).toHaveLength(1);
      expect(
        await backend.eventFeed.list('ws_A', all, { afterSeq: seqs[4]!, throughSeq: horizon, limit: 10 }),
      ).toEqual([]);
      expect(
        (await backend.eventFeed.list('ws_B', all, { afterSeq: 0, throughSeq: horizon, limit: 10 })).length,
      ).toBe(1);

      expect(await backend.eventFeed.seqOfLastBefore('ws_A', eventIdBound(T0 + MINUTE))).toBe(seqs[2]); // `late`
      expect(await backend.eventFeed.seqOfLastBefore('ws_A', eventIdBound(T0))).toBe(0);
      expect(await backend.eventFeed.seqOfFirstFrom('ws_A', eventIdBound(T0 + 3 * MINUTE))).toBe(seqs[3]);
      expect(await backend.eventFeed.seqOfFirstFrom('ws_A', eventIdBound(T0 + 9 * MINUTE))).toBeNull();
    });

    it('EventFeed: pages by time and type, and a follower gets each later event once', async () => {
      const feed = new EventFeed(backend.eventFeed);
      const early = Array.from({ length: 5 }, (_, i) => anEvent('ws_A', 'click.created', T0 + i * MINUTE));
      const window = Array.from({ length: 5 }, (_, i) =>
        anEvent('ws_A', 'click.created', T0 + (10 + i) * MINUTE),
      );
      const after = Array.from({ length: 5 }, (_, i) =>
        anEvent('ws_A', 'link.created', T0 + (20 + i) * MINUTE),
      );
      await write(early, window, after);

      const query = { types: null, createdAfter: T0 + 10 * MINUTE, createdBefore: T0 + 15 * MINUTE };
      const first = await feed.page('ws_A', query, null, 3);
      expect(ids(first.events)).toEqual(ids(window.slice(0, 3)));
      expect(first.hasMore).toBe(true);
      const second = await feed.page('ws_A', query, first.nextSeq, 3);
      expect(ids(second.events)).toEqual(ids(window.slice(3)));
      // The range is closed and everything after its slack is committed: the walk is over.
      expect(second.nextSeq).toBeNull();

      const follower = { types: ['link.created' as const], createdAfter: null, createdBefore: null };
      const page = await feed.page('ws_A', follower, null, 100);
      expect(ids(page.events)).toEqual(ids(after));
      expect(page.hasMore).toBe(false);
      expect(page.nextSeq).not.toBeNull();
      const newer = [anEvent('ws_A', 'link.updated', T0), anEvent('ws_A', 'link.created', T0 + 30 * MINUTE)];
      await write(newer);
      const next = await feed.page('ws_A', follower, page.nextSeq, 100);
      expect(ids(next.events)).toEqual(ids([newer[1]!]));
      expect((await feed.page('ws_A', follower, next.nextSeq, 100)).events).toEqual([]);
    });

    it('EventFeed: created_after finds events committed out of id order, and only those written in range', async () => {
      const feed = new EventFeed(backend.eventFeed);
      const old = anEvent('ws_A', 'click.created', T0 - 2 * EVENT_COMMIT_SLACK_MS);
      const justBefore = anEvent('ws_A', 'click.created', T0 - EVENT_COMMIT_SLACK_MS / 2);
      const mintedFirst = anEvent('ws_A', 'click.created', T0 + 1);
      const mintedSecond = anEvent('ws_A', 'click.created', T0 + 2);
      // `mintedFirst` commits last, after `justBefore` and `mintedSecond`: within the slack.
      await write([old], [mintedSecond], [justBefore], [mintedFirst]);
      const page = await feed.page('ws_A', { types: null, createdAfter: T0, createdBefore: null }, null, 100);
      expect(ids(page.events)).toEqual(ids([mintedSecond, mintedFirst]));
    });
  });
}
