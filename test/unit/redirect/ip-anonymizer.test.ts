import { describe, expect, it } from 'vitest';
import { anonymizeAddress, hashAddress } from '../../../src/redirect/ip-anonymizer.js';

describe('IP truncation', () => {
  it('keeps an IPv4 /24', () => {
    expect(anonymizeAddress('203.0.113.77')).toEqual({ prefix: '203.0.113.0/24', canonical: '203.0.113.77' });
  });

  it('unwraps IPv4-mapped IPv6 before truncating', () => {
    expect(anonymizeAddress('::ffff:198.51.100.9')).toEqual({
      prefix: '198.51.100.0/24',
      canonical: '198.51.100.9',
    });
  });

  it('keeps an IPv6 /48', () => {
    expect(anonymizeAddress('2001:db8:85a3:8d3:1319:8a2e:370:7348')?.prefix).toBe('2001:db8:85a3::/48');
    expect(anonymizeAddress('2001:db8::1')?.prefix).toBe('2001:db8:0::/48');
  });

  it('refuses what is not an address', () => {
    for (const text of ['', 'localhost', '999.1.1.1', '1.2.3', 'fe80::1%eth0x%', '::ffff:1.2.3.4.5']) {
      expect(anonymizeAddress(text), text).toBeNull();
    }
  });
});

describe('IP hashing', () => {
  const saltA = Buffer.alloc(32, 1);
  const saltB = Buffer.alloc(32, 2);

  it('is stable for one salt and 32 hex characters long', () => {
    expect(hashAddress('203.0.113.77', saltA)).toBe(hashAddress('203.0.113.77', saltA));
    expect(hashAddress('203.0.113.77', saltA)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs across salts (days, workspaces) and across addresses', () => {
    expect(hashAddress('203.0.113.77', saltA)).not.toBe(hashAddress('203.0.113.77', saltB));
    expect(hashAddress('203.0.113.77', saltA)).not.toBe(hashAddress('203.0.113.78', saltA));
  });

  it('does not contain the address', () => {
    expect(hashAddress('203.0.113.77', saltA)).not.toContain('203');
  });
});
