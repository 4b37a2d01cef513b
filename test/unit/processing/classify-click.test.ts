import { describe, expect, it } from 'vitest';
import { classifyClick } from '../../../src/processing/classification/classify-click.js';
import { REASON_CODE_ORDER } from '../../../src/processing/classification/reason-code.js';
import { fixtureClick, rawClick } from '../../fixtures/raw-click.js';
import {
  ALL_FIXTURES,
  BOTS,
  BROWSER_UA,
  BROWSERS,
  LINK_PREVIEWS,
  PREFETCHES,
  SECURITY_SCANNERS,
} from '../../fixtures/user-agents.js';

const AZURE = { asn: 8075, asnOrg: 'Microsoft Corporation' };
const CHROME_NAVIGATION = BROWSERS[0]?.headers ?? {};

describe('classifyClick over the user-agent fixture table', () => {
  it.each(ALL_FIXTURES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const result = classifyClick(fixtureClick(row), row.burst ? { burst: row.burst } : {});
    expect(result.trafficClass).toBe(row.expected.trafficClass);
    expect(result.fraudReason).toBe(row.expected.fraudReason ?? null);
    expect(result.isSuspicious).toBe(result.fraudReason !== null);
    expect(result.isBot).toBe(result.trafficClass !== 'human');
    expect(result.botScore).toBeGreaterThanOrEqual(0);
    expect(result.botScore).toBeLessThanOrEqual(1);
    const order = result.reasons.map((code) => REASON_CODE_ORDER.get(code) ?? -1);
    expect(order).toEqual([...new Set(order)].sort((a, b) => a - b));
  });

  it('gives plain browsers a zero score and no reasons', () => {
    for (const row of BROWSERS) {
      const result = classifyClick(fixtureClick(row));
      expect(result.reasons, row.name).toEqual([]);
      expect(result.botScore, row.name).toBe(0);
    }
  });

  it('scores every self-declared client at least 0.9', () => {
    const selfDeclared = [
      ...BOTS.filter((row) => row.expected.fraudReason !== 'unrecognised_user_agent'),
      ...LINK_PREVIEWS,
      ...SECURITY_SCANNERS.filter((row) => !row.name.startsWith('Scenario')),
      ...PREFETCHES.filter((row) => row.method !== 'HEAD'),
    ];
    for (const row of selfDeclared) {
      expect(classifyClick(fixtureClick(row)).botScore, row.name).toBeGreaterThanOrEqual(0.9);
    }
  });
});

describe('classification rules', () => {
  it('lets a link preview win over the generic bot match, and still reports both signals', () => {
    const result = classifyClick(rawClick({ headers: { 'user-agent': 'TelegramBot (like TwitterBot)' } }));
    expect(result.trafficClass).toBe('link_preview');
    expect(result.reasons).toEqual(['ua_link_preview', 'ua_known_bot']);
  });

  it('does not take in-app browsers for their apps’ preview fetchers', () => {
    for (const ua of [BROWSER_UA.facebookIos, BROWSER_UA.instagramAndroid]) {
      expect(
        classifyClick(rawClick({ headers: { ...CHROME_NAVIGATION, 'user-agent': ua } })).trafficClass,
      ).toBe('human');
    }
    const line =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.10.0';
    const pinterest =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]';
    for (const ua of [line, pinterest]) {
      expect(
        classifyClick(rawClick({ headers: { ...CHROME_NAVIGATION, 'user-agent': ua } })).trafficClass,
      ).toBe('human');
    }
  });

  it('never calls a self-declared crawler suspicious, whatever its network or pace', () => {
    const result = classifyClick(
      rawClick({
        headers: { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
        ...AZURE,
      }),
      {
        burst: { recentClicksSameVisitorSameLink: 50, recentDistinctLinksSameNetwork: 50, windowSeconds: 10 },
      },
    );
    expect(result.trafficClass).toBe('bot');
    expect(result.reasons).toContain('datacenter_network');
    expect(result.reasons).toContain('burst_network_distinct_links');
    expect(result.isSuspicious).toBe(false);
    expect(result.fraudReason).toBeNull();
  });

  it('does not expect browser headers from self-declared clients', () => {
    const result = classifyClick(rawClick({ headers: { 'user-agent': 'curl/8.5.0' } }));
    expect(result.reasons).toEqual(['ua_known_bot']);
  });

  it('needs two marks to call a browser-looking client a disguised scanner', () => {
    const bare = { 'user-agent': BROWSER_UA.chromeWindows, accept: '*/*' };
    expect(classifyClick(rawClick({ headers: bare })).trafficClass).toBe('human');
    expect(classifyClick(rawClick({ headers: CHROME_NAVIGATION, ...AZURE })).trafficClass).toBe('human');
    expect(classifyClick(rawClick({ headers: bare, ...AZURE })).trafficClass).toBe('security_scanner');
  });

  it('lets a disguised scanner win over a HEAD request', () => {
    const result = classifyClick(
      rawClick({ method: 'HEAD', headers: { 'user-agent': BROWSER_UA.chromeWindows }, ...AZURE }),
    );
    expect(result.trafficClass).toBe('security_scanner');
    expect(result.reasons).toContain('head_request');
  });

  it('skips the fetch-metadata expectation when the deployment is plain HTTP', () => {
    const {
      'sec-fetch-site': _s,
      'sec-fetch-mode': _m,
      'sec-fetch-dest': _d,
      'sec-fetch-user': _u,
      ...noFetchMetadata
    } = CHROME_NAVIGATION;
    const click = rawClick({ headers: noFetchMetadata });
    expect(classifyClick(click).reasons).toEqual(['missing_fetch_metadata']);
    expect(classifyClick(click, { expectFetchMetadata: false }).reasons).toEqual([]);
  });

  it('expects fetch metadata only from browser versions that always send it', () => {
    const oldChrome = {
      ...CHROME_NAVIGATION,
      'user-agent': BROWSER_UA.chromeWindows.replace('Chrome/131', 'Chrome/75'),
    };
    const { 'sec-fetch-site': _s, 'sec-fetch-mode': _m, 'sec-fetch-dest': _d, ...headers } = oldChrome;
    expect(classifyClick(rawClick({ headers })).reasons).toEqual([]);
    const webView = { ...headers, 'user-agent': BROWSER_UA.facebookAndroid };
    expect(classifyClick(rawClick({ headers: webView })).reasons).toEqual([]);
    const safari = { ...headers, 'user-agent': BROWSER_UA.safariIphone };
    expect(classifyClick(rawClick({ headers: safari })).reasons).toEqual(['missing_fetch_metadata']);
  });

  it('treats nested navigations as navigations', () => {
    const headers = { ...CHROME_NAVIGATION, 'sec-fetch-mode': 'nested-navigate', 'sec-fetch-dest': 'iframe' };
    expect(classifyClick(rawClick({ headers })).reasons).toEqual([]);
  });

  it('does not treat Cloudflare WARP, iCloud Private Relay or corporate gateways as datacenters', () => {
    for (const network of [
      { asn: 13335, asnOrg: 'Cloudflare, Inc.' },
      { asn: 36183, asnOrg: 'Akamai Technologies, Inc.' },
      { asn: 54113, asnOrg: 'Fastly, Inc.' },
      { asn: 62044, asnOrg: 'Zscaler Switzerland GmbH' },
    ]) {
      expect(
        classifyClick(rawClick({ headers: CHROME_NAVIGATION, ...network })).reasons,
        network.asnOrg,
      ).toEqual([]);
    }
  });
});

describe('burst signals', () => {
  const click = rawClick({ headers: CHROME_NAVIGATION });
  const reasonsFor = (visitor: number, network: number, windowSeconds: number) =>
    classifyClick(click, {
      burst: {
        recentClicksSameVisitorSameLink: visitor,
        recentDistinctLinksSameNetwork: network,
        windowSeconds,
      },
    }).reasons;

  it('fires on four clicks of one link within 20 seconds, not on three', () => {
    expect(reasonsFor(3, 1, 10)).toEqual([]);
    expect(reasonsFor(4, 1, 10)).toEqual(['burst_same_visitor_link']);
    expect(reasonsFor(4, 1, 20)).toEqual(['burst_same_visitor_link']);
  });

  it('scales the threshold with the window length', () => {
    expect(reasonsFor(4, 1, 60)).toEqual([]);
    expect(reasonsFor(12, 1, 60)).toEqual(['burst_same_visitor_link']);
    expect(reasonsFor(12, 12, 600)).toEqual([]);
  });

  it('fires on many distinct links from one network', () => {
    expect(reasonsFor(1, 8, 10)).toEqual(['burst_network_distinct_links']);
  });

  it('ignores nonsense counts and windows', () => {
    for (const [visitor, windowSeconds] of [
      [Number.NaN, 10],
      [Number.POSITIVE_INFINITY, 10],
      [50, 0],
      [50, -5],
      [50, Number.NaN],
    ] as const) {
      expect(reasonsFor(visitor, visitor, windowSeconds)).toEqual([]);
    }
  });
});
