import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/kernel/logger.js';
import { DailySalts } from '../../../src/privacy/daily-salts.js';
import { ErasureService } from '../../../src/privacy/erasure-service.js';
import { anonymizeAddress, hashAddress } from '../../../src/redirect/ip-anonymizer.js';
import { ProcessingHarness } from '../../support/processing-harness.js';

const HOUR = 3_600_000;
const VISITOR = '198.51.100.23';
const SOMEONE_ELSE = '198.51.100.24';

/**
 * Erasure by visitor finds clicks by the hashes of the address under the salts still held, without
 * an index on `ip_hash`: it searches from the oldest held salt's day on. It must find exactly what
 * matching on the hashes alone finds — every click hashed with a held salt, whenever it was processed.
 */
describe('erasure by visitor', () => {
  let h: ProcessingHarness;
  let salts: DailySalts;

  beforeEach(async () => {
    h = await ProcessingHarness.open();
    salts = new DailySalts(h.backend.ipSalts, h.clock);
  });
  afterEach(async () => h.close());

  /** Appends a click from the address at `at`, hashed as the edge hashes it (the salt of that UTC day). */
  async function clickFrom(ip: string, at: number, linkId: string): Promise<void> {
    const salt = await salts.load(h.workspaceId, at);
    const ipHash = hashAddress(anonymizeAddress(ip)!.canonical, salt);
    await h.append({ linkId, occurredAt: at, ipHash, ipPrefix: '198.51.100.0/24' });
  }

  it('erases every click hashed with a held salt — across days, processed late, past one batch', async () => {
    const linkId = await h.createLink();
    const now = h.clock.now(); // 2026-11-27 12:00 UTC
    const startOfToday = Date.UTC(2026, 10, 27);
    // Its salt is deleted below, as the daily housekeeping does after 48 hours.
    await clickFrom(VISITOR, startOfToday - 2 * 24 * HOUR + HOUR, linkId);
    await clickFrom(VISITOR, startOfToday - 1, linkId);
    await clickFrom(VISITOR, startOfToday, linkId);
    for (let i = 0; i < 210; i++) {
      await clickFrom(VISITOR, now - 1000 + i, linkId);
      if (i % 10 === 0) await clickFrom(SOMEONE_ELSE, now - 1000 + i, linkId);
    }
    await clickFrom(SOMEONE_ELSE, startOfToday - HOUR, linkId);
    await h.processAll();
    // Processed after all of today's: stored with a later `seq` than clicks that occurred after it.
    await clickFrom(VISITOR, startOfToday - 2 * HOUR, linkId);
    await h.processAll();
    expect(await h.backend.ipSalts.deleteBefore('2026-11-26')).toBe(1);

    // What the visitor's hashes under the held salts match, looked up by the hashes alone.
    const held = await h.backend.ipSalts.held(h.workspaceId);
    const hashes = held.map(({ salt }) =>
      hashAddress(anonymizeAddress(VISITOR)!.canonical, Buffer.from(salt, 'hex')),
    );
    const matching = h
      .query<{ click_id: string }>(
        `SELECT click_id FROM clicks WHERE ip_hash IN (${hashes.map(() => '?').join(', ')})`,
        ...hashes,
      )
      .map((row) => row.click_id);
    expect(matching).toHaveLength(2 + 210 + 1);
    const allBefore = h.query<{ click_id: string }>('SELECT click_id FROM clicks').map((r) => r.click_id);

    const erasures = new ErasureService({
      store: h.backend.erasures,
      salts: h.backend.ipSalts,
      clickLog: h.backend.clickLogPruning,
      links: h.backend.links,
      clock: h.clock,
      logger: createLogger('silent'),
    });
    const { request } = await erasures.request(
      h.workspaceId,
      { kind: 'visitor', ip: VISITOR, userAgent: null },
      'k',
    );
    await erasures.idle();

    const done = await erasures.get(h.workspaceId, request.requestId);
    expect(done).toMatchObject({ status: 'completed', counts: { clicksErased: matching.length } });
    const left = h.query<{ click_id: string }>('SELECT click_id FROM clicks').map((r) => r.click_id);
    expect(left.sort()).toEqual(allBefore.filter((id) => !matching.includes(id)).sort());
    // The click whose salt is gone stays, as it did when an index on `ip_hash` was searched.
    expect(left).toHaveLength(1 + 21 + 1);
  });
});
