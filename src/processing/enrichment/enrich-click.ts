import { headerText } from '../header-text.js';
import { primaryLanguage } from './accept-language.js';
import type { EnrichableClick, Enrichment, EnrichmentOptions, ReferrerCategory } from './enrichment.js';
import { parseUserAgent } from './parsed-user-agent.js';
import { referrerCategory } from './referrer-category.js';
import { parseReferrer } from './referrer-url.js';

/**
 * Device, OS and browser family from the user agent; referrer category and host from the
 * `referer` header; language from `accept-language`. Pure; the user-agent parse is memoised per
 * distinct string. Never throws: whatever cannot be read becomes `null` (or `unknown`/`other`).
 */
export function enrichClick(click: EnrichableClick, options: EnrichmentOptions = {}): Enrichment {
  const { headers } = click;

  let deviceType: Enrichment['deviceType'] = 'bot';
  let osFamily: string | null = null;
  let browserFamily: string | null = null;
  if (options.isBot !== true) {
    const userAgent = headerText(headers, 'user-agent')?.trim() ?? '';
    if (userAgent === '') {
      deviceType = 'unknown';
    } else {
      ({ deviceType, osFamily, browserFamily } = parseUserAgent(userAgent));
    }
  }

  let referrerHost: string | null = null;
  let category: ReferrerCategory = 'direct';
  const referer = headerText(headers, 'referer');
  if (referer !== undefined && referer.trim() !== '') {
    const origin = parseReferrer(referer);
    referrerHost = origin?.host ?? null;
    category = origin === null ? 'other' : referrerCategory(origin, options.ownHosts ?? []);
  }

  return {
    deviceType,
    osFamily,
    browserFamily,
    referrerCategory: category,
    referrerHost,
    language: primaryLanguage(headerText(headers, 'accept-language')),
  };
}
