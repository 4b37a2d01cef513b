import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import { BACKENDS } from './backends.js';

const T0 = 1_800_000_000_000;
const DAY = 86_400_000;
const LEASE = 60_000;
const claim = (fingerprint: string, now = T0) => ({ fingerprint, now, expiresAt: now + LEASE });
const response = { statusCode: 201, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

for (const engine of BACKENDS) {
  describe(`IdempotencyStore contract — ${engine.name}`, () => {
    let backend: Backend;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ backend, dispose } = await engine.open());
    });
    afterEach(async () => dispose());

    it('claims a free key once; then reports it in flight, then completed with its answer', async () => {
      const store = backend.idempotency;
      expect(await store.begin('ws_A', 'k1', claim('f1'))).toEqual({ kind: 'claimed' });
      expect(await store.begin('ws_A', 'k1', claim('f1'))).toEqual({ kind: 'in_flight', fingerprint: 'f1' });
      expect(await store.begin('ws_A', 'k1', claim('f2'))).toEqual({ kind: 'in_flight', fingerprint: 'f1' });
      await store.complete('ws_A', 'k1', response, T0 + DAY);
      expect(await store.begin('ws_A', 'k1', claim('f1'))).toEqual({
        kind: 'completed',
        fingerprint: 'f1',
        response,
      });
    });

    it('keeps workspaces apart', async () => {
      const store = backend.idempotency;
      expect(await store.begin('ws_A', 'same', claim('fa'))).toEqual({ kind: 'claimed' });
      expect(await store.begin('ws_B', 'same', claim('fb'))).toEqual({ kind: 'claimed' });
      await store.complete('ws_B', 'same', { ...response, body: 'B' }, T0 + DAY);
      expect(await store.begin('ws_A', 'same', claim('fa'))).toEqual({
        kind: 'in_flight',
        fingerprint: 'fa',
      });
      const b = await store.begin('ws_B', 'same', claim('fb'));
      expect(b.kind === 'completed' && b.response.body).toBe('B');
    });

    it('a released key is free again; releasing does not touch a completed record', async () => {
      const store = backend.idempotency;
      await store.begin('ws_A', 'r', claim('f1'));
      await store.release('ws_A', 'r');
      expect(await store.begin('ws_A', 'r', claim('f2'))).toEqual({ kind: 'claimed' });
      await store.complete('ws_A', 'r', response, T0 + DAY);
      await store.release('ws_A', 'r');
      expect((await store.begin('ws_A', 'r', claim('f2'))).kind).toBe('completed');
    });

    it('a claim whose request never finished (its process died) is free once its lease ran out', async () => {
      const store = backend.idempotency;
      expect(await store.begin('ws_A', 'crashed', claim('f1'))).toEqual({ kind: 'claimed' });
      expect((await store.begin('ws_A', 'crashed', claim('f1', T0 + LEASE - 1))).kind).toBe('in_flight');
      expect(await store.begin('ws_A', 'crashed', claim('f1', T0 + LEASE))).toEqual({ kind: 'claimed' });
      // The answer then lives for its own 24 h, not the lease's minute.
      await store.complete('ws_A', 'crashed', response, T0 + LEASE + DAY);
      expect((await store.begin('ws_A', 'crashed', claim('f1', T0 + 2 * LEASE))).kind).toBe('completed');
    });

    it('of concurrent claims of one key exactly one wins', async () => {
      const store = backend.idempotency;
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.begin('ws_A', 'race', claim('f'))),
      );
      expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'in_flight')).toHaveLength(9);
    });

    it('an expired record counts as free, and the purge deletes only expired ones', async () => {
      const store = backend.idempotency;
      await store.begin('ws_A', 'old', claim('f-old'));
      await store.complete('ws_A', 'old', response, T0 + DAY);
      await store.begin('ws_A', 'young', claim('f-young', T0 + DAY / 2));
      await store.complete('ws_A', 'young', response, T0 + DAY / 2 + DAY);

      // Past the first record's 24 h it is gone for `begin`, with another body even.
      expect(await store.begin('ws_A', 'old', claim('f-new', T0 + DAY))).toEqual({ kind: 'claimed' });
      await store.release('ws_A', 'old');
      await store.begin('ws_A', 'stale', claim('f', T0));

      expect(await store.purgeExpired(T0 + DAY)).toBe(1); // `stale`
      expect((await store.begin('ws_A', 'young', claim('f-young', T0 + DAY))).kind).toBe('completed');
      expect(await store.purgeExpired(T0 + 2 * DAY)).toBe(1); // `young`
      expect(await store.begin('ws_A', 'young', claim('f-other', T0 + 2 * DAY))).toEqual({ kind: 'claimed' });
    });
  });
}
