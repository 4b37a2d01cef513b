import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import type { ClickLog, ClickLogConsumer, LogEntry } from '../../src/click-log/click-log.js';
import type { RawClick } from '../../src/click-log/raw-click.js';
import { newId } from '../../src/kernel/ids.js';
import { CLICK_LOG_BACKENDS } from './backends.js';

function rawClick(overrides: Partial<RawClick> = {}): RawClick {
  return {
    clickId: newId('click'),
    occurredAt: Date.now(),
    workspaceId: 'ws_01TEST',
    linkId: 'lnk_01TEST',
    domainId: null,
    slug: 'spring',
    method: 'GET',
    redirectStatus: 'success',
    blockReason: null,
    headers: { 'user-agent': 'Mozilla/5.0', 'accept-language': 'de' },
    ipHash: 'a'.repeat(32),
    ipPrefix: '203.0.113.0/24',
    country: 'DE',
    asn: 3320,
    asnOrg: 'Deutsche Telekom AG',
    ...overrides,
  };
}

let groups = 0;

/**
 * A consumer group driven as processors drive one. `committed` stands for the cursor the store
 * would hold: members move it on each batch when the log's progress is the caller's.
 */
class Group {
  committed = 0;
  readonly name = `reader_${++groups}`;
  constructor(private readonly log: ClickLog) {}

  async member(batchSize: number): Promise<Member> {
    const consumer = await this.log.openConsumer({
      group: this.name,
      batchSize,
      committedPosition: async () => this.committed,
    });
    return new Member(this, consumer);
  }
}

class Member {
  constructor(
    private readonly group: Group,
    readonly consumer: ClickLogConsumer,
  ) {}

  /** Fetches a batch, "commits" it and acknowledges it. */
  async take(): Promise<LogEntry[]> {
    const entries = await this.consumer.fetch();
    if (entries.length === 0) return entries;
    if (this.consumer.progress === 'caller') this.group.committed = entries.at(-1)!.position;
    await this.consumer.acknowledge(entries);
    return entries;
  }

  /** Takes batches until the log has nothing more for the group. */
  async drain(): Promise<LogEntry[]> {
    const all: LogEntry[] = [];
    for (;;) {
      const entries = await this.take();
      if (entries.length === 0) return all;
      all.push(...entries);
    }
  }
}

/** Everything in the log, as a new group reads it. */
async function readAll(log: ClickLog, batchSize = 1000): Promise<LogEntry[]> {
  return (await new Group(log).member(batchSize)).drain();
}

const ids = (entries: readonly LogEntry[]) => entries.map((entry) => entry.click.clickId);
const clickIds = (clicks: readonly RawClick[]) => clicks.map((click) => click.clickId);

for (const engine of CLICK_LOG_BACKENDS) {
  describe(`ClickLog contract — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
    });
    afterEach(async () => dispose());

    it('returns appended clicks in append order with every field intact', async () => {
      const clicks = [
        rawClick(),
        rawClick({
          linkId: null,
          redirectStatus: 'not_found',
          slug: 'nope',
          country: null,
          asn: null,
          asnOrg: null,
        }),
        rawClick({ method: 'HEAD', redirectStatus: 'blocked', blockReason: 'link_expired', headers: {} }),
      ];
      for (const click of clicks) await backend.clickLog.append(click);
      const entries = await readAll(backend.clickLog);
      expect(entries.map((entry) => entry.click)).toEqual(clicks);
      const positions = entries.map((entry) => entry.position);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(new Set(positions).size).toBe(3);
    });

    it('carries the simulated mark, and only on clicks that have it', async () => {
      const real = rawClick();
      const simulated = rawClick({ simulated: true });
      await backend.clickLog.append(real);
      await backend.clickLog.append(simulated);
      const [first, second] = (await readAll(backend.clickLog)).map((entry) => entry.click);
      expect(first).toEqual(real);
      expect(first?.simulated).toBeUndefined();
      expect(second).toEqual(simulated);
    });

    it('takes concurrent appends together and resolves each only once durable', async () => {
      const clicks = Array.from({ length: 250 }, () => rawClick());
      await Promise.all(clicks.map((click) => backend.clickLog.append(click)));
      expect(ids(await readAll(backend.clickLog))).toEqual(clickIds(clicks));
    });

    it('appends a batch with appendMany', async () => {
      const clicks = Array.from({ length: 40 }, (_, i) => rawClick({ slug: `m${i}` }));
      await backend.clickLog.appendMany(clicks);
      expect((await readAll(backend.clickLog)).map((entry) => entry.click)).toEqual(clicks);
    });

    it('hands a group its entries in batches, each acknowledged batch once', async () => {
      for (let i = 0; i < 7; i++) await backend.clickLog.append(rawClick({ slug: `s${i}` }));
      const member = await new Group(backend.clickLog).member(3);
      const first = await member.take();
      const second = await member.take();
      const third = await member.take();
      expect([first.length, second.length, third.length]).toEqual([3, 3, 1]);
      expect([...first, ...second, ...third].map((entry) => entry.click.slug)).toEqual([
        's0',
        's1',
        's2',
        's3',
        's4',
        's5',
        's6',
      ]);
      expect(await member.take()).toEqual([]);
    });

    it('resumes a group after what it acknowledged; another group reads everything', async () => {
      const clicks = Array.from({ length: 5 }, () => rawClick());
      for (const click of clicks) await backend.clickLog.append(click);
      const group = new Group(backend.clickLog);
      const first = await group.member(2);
      expect(ids(await first.take())).toEqual(clickIds(clicks.slice(0, 2)));
      // A member that starts later (a restarted processor) continues where the group stands.
      const later = await group.member(10);
      expect(ids(await later.drain())).toEqual(clickIds(clicks.slice(2)));
      expect(ids(await readAll(backend.clickLog))).toEqual(clickIds(clicks));
    });

    it('hands out again what a member fetched and released', async () => {
      const clicks = [rawClick(), rawClick()];
      for (const click of clicks) await backend.clickLog.append(click);
      const member = await new Group(backend.clickLog).member(10);
      const fetched = await member.consumer.fetch();
      expect(fetched).toHaveLength(2);
      await member.consumer.release(fetched);
      expect(ids(await member.drain())).toEqual(ids(fetched));
    });

    it('hands out again what a member fetched and never acknowledged (its process died)', async () => {
      const clicks = [rawClick(), rawClick(), rawClick()];
      for (const click of clicks) await backend.clickLog.append(click);
      const group = new Group(backend.clickLog);
      const dead = await group.member(2);
      const lost = await dead.consumer.fetch();
      expect(lost).toHaveLength(2);
      // The dead member neither acknowledges nor releases. The group's next member gets every
      // click: a log keeping progress hands the two out again once their ack wait has passed.
      const next = await group.member(10);
      const seen = new Set<string>();
      for (let round = 0; round < 200 && seen.size < clicks.length; round++) {
        for (const entry of await next.take()) seen.add(entry.click.clickId);
      }
      expect([...seen].sort()).toEqual(clicks.map((click) => click.clickId).sort());
      expect(await next.take()).toEqual([]);
    });

    it('shares a group among its members, each entry to one of them (logs that keep progress)', async (context) => {
      const group = new Group(backend.clickLog);
      const a = await group.member(10);
      // A log whose progress is the caller's has one member per group: nothing to share.
      if (a.consumer.progress !== 'log') context.skip();
      const b = await group.member(10);
      const clicks = Array.from({ length: 60 }, () => rawClick());
      await backend.clickLog.appendMany(clicks);
      const byA: string[] = [];
      const byB: string[] = [];
      for (let round = 0; round < 200 && byA.length + byB.length < clicks.length; round++) {
        const [fromA, fromB] = await Promise.all([a.take(), b.take()]);
        byA.push(...ids(fromA));
        byB.push(...ids(fromB));
      }
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
      expect([...byA, ...byB].sort()).toEqual(clickIds(clicks).sort());
      expect([...(await a.take()), ...(await b.take())]).toEqual([]);
    });

    it('keeps odd header values byte for byte', async () => {
      const click = rawClick({ headers: { 'user-agent': 'ü\u0000"\\\n😀', referer: 'x'.repeat(1024) } });
      await backend.clickLog.append(click);
      expect((await readAll(backend.clickLog))[0]?.click).toEqual(click);
    });

    it('flushes pending appends on close and refuses appends afterwards', async () => {
      const pending = backend.clickLog.append(rawClick());
      await backend.clickLog.close();
      await expect(pending).resolves.toBeUndefined();
      await expect(backend.clickLog.append(rawClick())).rejects.toThrow(/closed/);
    });
  });
}
