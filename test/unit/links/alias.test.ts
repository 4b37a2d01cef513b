import { describe, expect, it } from 'vitest';
import { generateAlias, isReservedAlias, isValidAlias } from '../../../src/links/alias.js';

describe('aliases', () => {
  it('accepts 1–64 characters of letters, digits, _ and -', () => {
    for (const alias of ['a', 'spring-sale', 'Q3_promo', 'x'.repeat(64), '0'])
      expect(isValidAlias(alias)).toBe(true);
  });

  it('refuses empty, too long, and anything outside the alphabet', () => {
    for (const alias of ['', 'x'.repeat(65), 'a/b', 'a b', 'ä', 'a.b', 'a?b', '%2e', 'a\nb', '..']) {
      expect(isValidAlias(alias), alias).toBe(false);
    }
  });

  it('knows reserved aliases regardless of case', () => {
    for (const alias of ['v1', 'V1', 'docs', 'HealthZ', 'readyz', 'metrics', 'openapi.json']) {
      expect(isReservedAlias(alias), alias).toBe(true);
    }
    expect(isReservedAlias('spring')).toBe(false);
  });

  it('generates 7 base62 characters, different each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const alias = generateAlias();
      expect(alias).toMatch(/^[A-Za-z0-9]{7}$/);
      seen.add(alias);
    }
    expect(seen.size).toBe(1000);
  });
});
