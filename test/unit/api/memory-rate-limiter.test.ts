import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../../../src/adapters/memory/memory-rate-limiter.js';
import { budgetKindOf } from '../../../src/api/rate-limit/rate-limit-hook.js';

const MINUTE = 60_000;
const raw = { name: 'raw', limit: 3, windowMs: MINUTE };
const aggregate = { name: 'aggregate', limit: 1, windowMs: MINUTE };
const T = 1_800_000_000_000; // a multiple of a minute

describe('MemoryRateLimiter', () => {
  it('counts down within a fixed window, refuses past the limit, and starts over at the next window', async () => {
    const limiter = new MemoryRateLimiter();
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.take('key_1', raw, T + 10_000 + i));
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
    expect(new Set(decisions.map((d) => d.resetAt))).toEqual(new Set([T + MINUTE]));
    const next = await limiter.take('key_1', raw, T + MINUTE);
    expect(next).toEqual({ allowed: true, limit: 3, remaining: 2, resetAt: T + 2 * MINUTE });
  });

  it('keeps keys and budgets apart', async () => {
    const limiter = new MemoryRateLimiter();
    expect((await limiter.take('key_1', aggregate, T)).allowed).toBe(true);
    expect((await limiter.take('key_1', aggregate, T)).allowed).toBe(false);
    expect((await limiter.take('key_1', raw, T)).allowed).toBe(true);
    expect((await limiter.take('key_2', aggregate, T)).allowed).toBe(true);
  });

  it('forgets ended windows as keys come and go, and still counts the live ones', async () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 5000; i++) await limiter.take(`key_${i}`, raw, T + i);
    await limiter.take('steady', raw, T + 2 * MINUTE);
    await limiter.take('steady', raw, T + 2 * MINUTE);
    for (let i = 0; i < 5000; i++) await limiter.take(`other_${i}`, raw, T + 2 * MINUTE);
    expect((await limiter.take('steady', raw, T + 2 * MINUTE)).remaining).toBe(0);
    expect((await limiter.take('key_1', raw, T + 2 * MINUTE)).remaining).toBe(2);
  });
});

describe('budgetKindOf', () => {
  it('puts the analytics routes on the aggregate budget and everything else on the raw one', () => {
    expect(budgetKindOf('/v1/analytics/clicks/daily')).toBe('aggregate');
    expect(budgetKindOf('/v1/analytics/clicks/top-links')).toBe('aggregate');
    expect(budgetKindOf('/v1/clicks')).toBe('raw');
    expect(budgetKindOf('/v1/stream/clicks')).toBe('raw');
    expect(budgetKindOf('/v1/links/:link_id')).toBe('raw');
  });
});
