import { describe, expect, it } from 'vitest';
import { enrichClick } from '../../../src/processing/enrichment/enrich-click.js';
import type { ReferrerCategory } from '../../../src/processing/enrichment/enrichment.js';
import { rawClick } from '../../fixtures/raw-click.js';

const OWN_HOSTS = ['go.example.com', 'Example.COM'];

function referrerOf(referer: string | undefined) {
  const { referrerCategory, referrerHost } = enrichClick(
    rawClick({ headers: referer === undefined ? {} : { referer } }),
    { ownHosts: OWN_HOSTS },
  );
  return { category: referrerCategory, host: referrerHost };
}

describe('referrer category and host', () => {
  const cases: readonly [string, ReferrerCategory, string | null][] = [
    ['https://www.google.com/', 'search', 'www.google.com'],
    ['https://www.google.co.uk/', 'search', 'www.google.co.uk'],
    ['https://google.de/', 'search', 'google.de'],
    ['https://yandex.com.tr/search/?text=x', 'search', 'yandex.com.tr'],
    ['https://www.bing.com/search?q=clickwire', 'search', 'www.bing.com'],
    ['https://duckduckgo.com/', 'search', 'duckduckgo.com'],
    ['https://search.yahoo.com/', 'search', 'search.yahoo.com'],
    ['https://docs.google.com/document/d/abc/edit', 'other', 'docs.google.com'],
    ['https://mail.google.com/mail/u/0/', 'email', 'mail.google.com'],
    ['https://outlook.live.com/', 'email', 'outlook.live.com'],
    ['https://outlook.office.com/mail/inbox', 'email', 'outlook.office.com'],
    ['https://mail.yahoo.com/d/folders/1', 'email', 'mail.yahoo.com'],
    ['https://eur03.safelinks.protection.outlook.com/', 'email', 'eur03.safelinks.protection.outlook.com'],
    ['https://urldefense.com/v3/__https://x', 'email', 'urldefense.com'],
    ['https://webmail.example.org/?_task=mail', 'email', 'webmail.example.org'],
    ['android-app://com.google.android.gm/', 'email', 'com.google.android.gm'],
    ['android-app://com.microsoft.office.outlook', 'email', 'com.microsoft.office.outlook'],
    [
      'android-app://com.google.android.googlequicksearchbox/https/www.google.com',
      'search',
      'com.google.android.googlequicksearchbox',
    ],
    ['android-app://com.Slack/', 'social', 'com.slack'],
    ['android-app://org.example.unknown/', 'other', 'org.example.unknown'],
    ['https://l.facebook.com/', 'social', 'l.facebook.com'],
    ['https://m.facebook.com/', 'social', 'm.facebook.com'],
    ['https://t.co/abc', 'social', 't.co'],
    ['https://www.linkedin.com/feed/', 'social', 'www.linkedin.com'],
    ['https://out.reddit.com/t3_x', 'social', 'out.reddit.com'],
    ['https://www.pinterest.de/', 'social', 'www.pinterest.de'],
    ['https://go.example.com/', 'internal', 'go.example.com'],
    ['https://EXAMPLE.com./about', 'internal', 'example.com'],
    ['https://blog.example.com/', 'other', 'blog.example.com'],
    ['https://news.example.net/article?id=1', 'other', 'news.example.net'],
  ];

  it.each(cases)('%s → %s', (referer, category, host) => {
    expect(referrerOf(referer)).toEqual({ category, host });
  });

  it('is direct without a referrer, or with an empty one', () => {
    expect(referrerOf(undefined)).toEqual({ category: 'direct', host: null });
    expect(referrerOf('')).toEqual({ category: 'direct', host: null });
    expect(referrerOf('   ')).toEqual({ category: 'direct', host: null });
  });

  it('keeps only the lower-case host: no credentials, port, path, query or fragment', () => {
    expect(referrerOf('HTTPS://user:secret@Shop.Example.NET:8443/path/x?email=a@b.c#frag')).toEqual({
      category: 'other',
      host: 'shop.example.net',
    });
    expect(referrerOf('https://[2001:DB8::1]:8080/x')).toEqual({ category: 'other', host: '[2001:db8::1]' });
  });

  it('is other with no host when the referrer cannot be read', () => {
    for (const referer of [
      'not a url',
      'https://',
      '//www.google.com/',
      'https://exa mple.com/',
      'https://%65xample.com/',
      'https://ex\u00e4mple.com/',
      'https://[not-ipv6]/',
      'https://-bad-.com/',
      `https://${'a'.repeat(300)}.com/`,
      'javascript:alert(1)',
    ]) {
      expect(referrerOf(referer), referer).toEqual({ category: 'other', host: null });
    }
  });
});
