import { describe, expect, it } from 'vitest';
import { enrichClick } from '../../../src/processing/enrichment/enrich-click.js';
import { rawClick } from '../../fixtures/raw-click.js';
import { BOTS, BROWSER_UA, BROWSERS } from '../../fixtures/user-agents.js';

describe('enrichClick: device, OS and browser over the fixture table', () => {
  it.each(BROWSERS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const enrichment = enrichClick(rawClick({ headers: row.headers }));
    expect({
      type: enrichment.deviceType,
      os: enrichment.osFamily,
      browser: enrichment.browserFamily,
    }).toEqual(row.expected.device);
  });
});

describe('enrichClick: bots and unknown clients', () => {
  it('reports bots as device type bot with no OS or browser, whatever they claim', () => {
    for (const row of BOTS) {
      const enrichment = enrichClick(rawClick({ headers: row.headers }), { isBot: true });
      expect(enrichment.deviceType, row.name).toBe('bot');
      expect(enrichment.osFamily, row.name).toBeNull();
      expect(enrichment.browserFamily, row.name).toBeNull();
    }
  });

  it('reports a missing user agent as unknown', () => {
    expect(enrichClick(rawClick({ headers: {} }))).toMatchObject({
      deviceType: 'unknown',
      osFamily: null,
      browserFamily: null,
    });
  });

  it('reports a user agent naming no device or known OS as unknown, with nulls', () => {
    expect(enrichClick(rawClick({ headers: { 'user-agent': 'curl/8.5.0' } }))).toMatchObject({
      deviceType: 'unknown',
      osFamily: null,
      browserFamily: null,
    });
  });

  it('folds OS names ua-parser-js reports in the user agent’s own spelling', () => {
    const jsdom = 'Mozilla/5.0 (linux) AppleWebKit/537.36 (KHTML, like Gecko) jsdom/20.0.0';
    expect(enrichClick(rawClick({ headers: { 'user-agent': jsdom } }))).toMatchObject({
      deviceType: 'desktop',
      osFamily: 'Linux',
    });
  });

  it('gives the same answer on a cache hit as on the first parse', () => {
    const click = rawClick({ headers: { 'user-agent': BROWSER_UA.samsungInternet } });
    expect(enrichClick(click)).toEqual(enrichClick(click));
  });
});
