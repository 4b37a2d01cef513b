import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import type { RawClick } from '../../src/click-log/raw-click.js';
import { newId } from '../../src/kernel/ids.js';
import { BACKENDS } from './backends.js';

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

for (const engine of BACKENDS) {
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
      const entries = await backend.clickLog.readAfter(0, 10);
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
      const [first, second] = (await backend.clickLog.readAfter(0, 10)).map((entry) => entry.click);
      expect(first).toEqual(real);
      expect(first?.simulated).toBeUndefined();
      expect(second).toEqual(simulated);
    });

    it('group-commits concurrent appends and resolves each only once durable', async () => {
      const clicks = Array.from({ length: 250 }, () => rawClick());
      await Promise.all(clicks.map((click) => backend.clickLog.append(click)));
      const entries = await backend.clickLog.readAfter(0, 1000);
      expect(entries.map((entry) => entry.click.clickId)).toEqual(clicks.map((click) => click.clickId));
    });

    it('pages with readAfter', async () => {
      for (let i = 0; i < 7; i++) await backend.clickLog.append(rawClick({ slug: `s${i}` }));
      const first = await backend.clickLog.readAfter(0, 3);
      const second = await backend.clickLog.readAfter(first.at(-1)!.position, 3);
      const third = await backend.clickLog.readAfter(second.at(-1)!.position, 3);
      expect([...first, ...second, ...third].map((entry) => entry.click.slug)).toEqual([
        's0',
        's1',
        's2',
        's3',
        's4',
        's5',
        's6',
      ]);
      expect(await backend.clickLog.readAfter(third.at(-1)!.position, 3)).toEqual([]);
    });

    it('keeps odd header values byte for byte', async () => {
      const click = rawClick({ headers: { 'user-agent': 'ü\u0000"\\\n😀', referer: 'x'.repeat(1024) } });
      await backend.clickLog.append(click);
      expect((await backend.clickLog.readAfter(0, 1))[0]?.click).toEqual(click);
    });

    it('flushes pending appends on close and refuses appends afterwards', async () => {
      const pending = backend.clickLog.append(rawClick());
      await backend.clickLog.close();
      await expect(pending).resolves.toBeUndefined();
      await expect(backend.clickLog.append(rawClick())).rejects.toThrow(/closed/);
    });
  });
}
