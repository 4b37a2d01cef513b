import { describe, expect, it } from 'vitest';
import {
  CAPTURED_HEADERS,
  type CapturedHeaders,
  MAX_CAPTURED_HEADER_BYTES,
} from '../../../src/click-log/raw-click.js';
import { classifyClick } from '../../../src/processing/classification/classify-click.js';
import { TRAFFIC_CLASSES } from '../../../src/processing/classification/traffic-class.js';
import { enrichClick } from '../../../src/processing/enrichment/enrich-click.js';
import { DEVICE_TYPES, REFERRER_CATEGORIES } from '../../../src/processing/enrichment/enrichment.js';
import { rawClick } from '../../fixtures/raw-click.js';

/** mulberry32: a small seeded generator, so a failure replays identically. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const random = seededRandom(0xc11c);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const FRAGMENTS = [
  '\uFFFD',
  '\uD800',
  '\uDFFF',
  '\u0000',
  '%',
  '%zz',
  '://',
  'https://',
  'android-app://',
  '[',
  ']',
  '@',
  ':',
  ';q=',
  ',',
  '-',
  '.',
  'Mozilla/5.0 (',
  'Chrome/',
  'Version/',
  'Safari/',
  'bot',
  'é',
  '日本',
  '🙂',
  ' ',
  '\t',
];

function garbageString(maxLength: number): string {
  let text = '';
  const target = Math.floor(random() * maxLength);
  while (text.length < target) {
    const roll = random();
    if (roll < 0.3) text += pick(FRAGMENTS);
    else if (roll < 0.6) text += String.fromCharCode(32 + Math.floor(random() * 95));
    else text += String.fromCharCode(Math.floor(random() * 0x10000));
  }
  return text;
}

function garbageHeaders(): CapturedHeaders {
  const headers: Record<string, string> = {};
  for (const name of CAPTURED_HEADERS) {
    if (random() < 0.7) headers[name] = garbageString(MAX_CAPTURED_HEADER_BYTES);
  }
  return headers;
}

function expectWellFormed(headers: CapturedHeaders): void {
  const click = rawClick({ headers });
  const classification = classifyClick(click, {
    burst: {
      recentClicksSameVisitorSameLink: random() * 10,
      recentDistinctLinksSameNetwork: 3,
      windowSeconds: 10,
    },
  });
  expect(TRAFFIC_CLASSES).toContain(classification.trafficClass);
  expect(classification.botScore).toBeGreaterThanOrEqual(0);
  expect(classification.botScore).toBeLessThanOrEqual(1);

  const enrichment = enrichClick(click, { ownHosts: ['go.example.com'], isBot: classification.isBot });
  expect(DEVICE_TYPES).toContain(enrichment.deviceType);
  expect(REFERRER_CATEGORIES).toContain(enrichment.referrerCategory);
  if (enrichment.referrerHost !== null) expect(enrichment.referrerHost).toMatch(/^[a-z0-9_.\-[\]:]+$/);
  if (enrichment.language !== null) expect(enrichment.language).toMatch(/^[a-z]{2,3}$/);
  for (const family of [enrichment.osFamily, enrichment.browserFamily]) {
    if (family !== null) expect(family.trim()).not.toBe('');
  }
}

describe('garbage input', () => {
  it('never throws on 1 KB random header values, and still answers within the enums', () => {
    for (let i = 0; i < 500; i++) expectWellFormed(garbageHeaders());
  });

  it('never throws on malformed referrers and language lists', () => {
    const referrers = [
      'http://',
      'https://:80',
      'https://@',
      'https://[::1',
      'https://a..b/',
      'ftp://files.example.com/x',
      'data:text/html,<script>',
      'https://\uFFFD\uFFFD.com/',
      `https://${'x.'.repeat(600)}`,
      'android-app://',
      'android-app:///',
    ];
    const languages = [
      ';',
      'q=1',
      ';q=0.5',
      '-',
      '--',
      'de-',
      '-de',
      `${'en,'.repeat(400)}`,
      'de;q=0.5;q=0.9',
      '\uD800',
    ];
    for (const referer of referrers) {
      for (const language of languages) expectWellFormed({ referer, 'accept-language': language });
    }
  });

  it('never throws on header values that are not strings (a corrupted log row)', () => {
    for (const value of [42, null, {}, [], true, Symbol('x')]) {
      const headers = Object.fromEntries(
        CAPTURED_HEADERS.map((name) => [name, value]),
      ) as unknown as CapturedHeaders;
      expectWellFormed(headers);
    }
  });

  it('degrades to nulls for an unreadable click', () => {
    const enrichment = enrichClick(
      rawClick({ headers: { referer: '\uFFFD\uFFFD', 'accept-language': '\uFFFD' } }),
    );
    expect(enrichment).toEqual({
      deviceType: 'unknown',
      osFamily: null,
      browserFamily: null,
      referrerCategory: 'other',
      referrerHost: null,
      language: null,
    });
  });
});
