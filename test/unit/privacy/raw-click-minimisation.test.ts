import { describe, expect, it } from 'vitest';
import { capturePrivacyOf } from '../../../src/privacy/capture-privacy.js';
import { DEFAULT_PRIVACY_OPTIONS, type PrivacyOptions } from '../../../src/privacy/privacy-settings.js';
import type { CaptureRequest } from '../../../src/redirect/capture-request.js';
import type { GeoLookup } from '../../../src/redirect/geo-lookup.js';
import { buildRawClick } from '../../../src/redirect/raw-click-builder.js';

/** A geo lookup that answers a fixed network and counts how often it was asked. */
class FixedGeo implements GeoLookup {
  calls = 0;
  lookup() {
    this.calls++;
    return { country: 'DE', asn: 3320, asnOrg: 'Deutsche Telekom AG' };
  }
}

const SALT = Buffer.alloc(32, 7);

function request(privacy: PrivacyOptions | null): CaptureRequest {
  return {
    occurredAt: Date.UTC(2026, 10, 27, 12),
    workspaceId: 'ws_01JD00000000000000000000WS',
    linkId: 'lnk_01JD00000000000000000000LK',
    domainId: null,
    slug: 'spring',
    method: 'GET',
    redirectStatus: 'success',
    blockReason: null,
    headers: {
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
      referer: 'https://news.example.org/2026/11/story?utm_source=x&user=alice',
      'accept-language': 'de-DE,de;q=0.9',
    },
    clientAddress: '203.0.113.77',
    ...(privacy === null ? {} : { privacy: capturePrivacyOf(privacy) }),
  };
}

describe('raw click minimisation at the edge', () => {
  it('keeps hash, prefix, country and ASN by default, and cuts the referrer to its origin', () => {
    const click = buildRawClick(request(null), SALT, new FixedGeo())!;
    expect(click.ipHash).toMatch(/^[0-9a-f]{32}$/);
    expect(click.ipPrefix).toBe('203.0.113.0/24');
    expect([click.country, click.asn]).toEqual(['DE', 3320]);
    expect(click.headers.referer).toBe('https://news.example.org/');
    expect(click.headers['accept-language']).toBe('de-DE,de;q=0.9');
    expect(click.privacyMode).toBeUndefined();
    expect(JSON.stringify(click)).not.toContain('203.0.113.77');
    expect(JSON.stringify(click)).not.toContain('alice');
  });

  it('derives nothing that is switched off, and says which mode applied', () => {
    const geo = new FixedGeo();
    const click = buildRawClick(
      request({
        ...DEFAULT_PRIVACY_OPTIONS,
        ipHash: false,
        ipPrefix: false,
        country: false,
        asn: false,
        referrer: 'off',
        language: false,
      }),
      SALT,
      geo,
    )!;
    expect(geo.calls).toBe(0);
    expect([click.ipHash, click.ipPrefix, click.country, click.asn, click.asnOrg]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(click.headers.referer).toBeUndefined();
    expect(click.headers['accept-language']).toBeUndefined();
    expect(click.headers['user-agent']).toBeDefined();
    expect(click.privacyMode).toBe('ip=none;geo=none;referrer=none;language=none;user_agent=raw-retention');
  });

  it('keeps the country without the network when only ASN is off', () => {
    const click = buildRawClick(request({ ...DEFAULT_PRIVACY_OPTIONS, asn: false }), SALT, new FixedGeo())!;
    expect([click.country, click.asn, click.asnOrg]).toEqual(['DE', null, null]);
  });

  it('replaces an unreadable referrer rather than keeping its text', () => {
    const base = request(null);
    const click = buildRawClick(
      { ...base, headers: { ...base.headers, referer: 'not a url /secret?token=1' } },
      SALT,
      new FixedGeo(),
    )!;
    expect(click.headers.referer).toBe('unreadable');
  });

  it.each([
    ['https://news.example.org/', 'https://news.example.org/'],
    ['HTTPS://News.Example.org/', 'https://news.example.org/'],
    ['https://user:pw@news.example.org:8443/a', 'https://news.example.org/'],
    ['   ', undefined],
    ['', undefined],
    ['unreadable', 'unreadable'],
  ])('keeps of the referrer %j only %j', (referer, kept) => {
    const base = request(null);
    const click = buildRawClick({ ...base, headers: { ...base.headers, referer } }, SALT, new FixedGeo())!;
    expect(click.headers.referer).toBe(kept);
    expect(click.headers['user-agent']).toBe(base.headers['user-agent']);
  });

  it('drops the language and the referrer together when both are off', () => {
    const click = buildRawClick(
      request({ ...DEFAULT_PRIVACY_OPTIONS, referrer: 'off', language: false }),
      SALT,
      new FixedGeo(),
    )!;
    expect(click.headers).toEqual({ 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' });
  });
});
