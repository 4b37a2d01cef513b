import { describe, expect, it } from 'vitest';
import { BoundedLru } from '../../../src/processing/bounded-lru.js';

describe('BoundedLru', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const lru = new BoundedLru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
  });

  it('computes once per key while the key stays cached', () => {
    const lru = new BoundedLru<string, { length: number }>(10);
    let calls = 0;
    const compute = (key: string) => {
      calls++;
      return { length: key.length };
    };
    expect(lru.getOrCompute('abc', compute)).toEqual({ length: 3 });
    expect(lru.getOrCompute('abc', compute)).toEqual({ length: 3 });
    expect(calls).toBe(1);
  });

  it('stays bounded under a stream of distinct keys', () => {
    const lru = new BoundedLru<number, number>(100);
    for (let i = 0; i < 10_000; i++) lru.set(i, i);
    expect(lru.size).toBe(100);
    expect(lru.get(9_999)).toBe(9_999);
    expect(lru.get(0)).toBeUndefined();
  });
});
