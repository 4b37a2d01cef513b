import type { ReferrerCategory } from './enrichment.js';
import {
  ANDROID_APP_CATEGORIES,
  BRAND_HOME_CATEGORIES,
  REFERRER_DOMAINS,
  WEBMAIL_HOST_PREFIXES,
} from './referrer-sources.js';
import type { ReferrerOrigin } from './referrer-url.js';

/** Lower-cases a configured host and drops a trailing dot, so configuration spelling does not matter. */
function normaliseHost(host: string): string {
  const lower = host.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Country-domain tail of a brand home host: one or two labels of 2–3 letters (`de`, `co.uk`, `com.br`). */
function isCountryTail(labels: readonly string[]): boolean {
  return labels.length >= 1 && labels.length <= 2 && labels.every((label) => /^[a-z]{2,3}$/.test(label));
}

function webCategory(host: string): ReferrerCategory {
  // Most specific listed domain first: the host itself, then each parent domain.
  let domain = host;
  for (;;) {
    const category = REFERRER_DOMAINS.get(domain);
    if (category !== undefined) return category;
    const dot = domain.indexOf('.');
    if (dot === -1) break;
    domain = domain.slice(dot + 1);
  }
  const labels = host.split('.');
  const first = labels[0] ?? '';
  const brandAt = first === 'www' ? 1 : 0;
  const brandCategory = BRAND_HOME_CATEGORIES.get(labels[brandAt] ?? '');
  if (brandCategory !== undefined && isCountryTail(labels.slice(brandAt + 1))) return brandCategory;
  if (labels.length >= 3 && WEBMAIL_HOST_PREFIXES.has(first)) return 'email';
  return 'other';
}

/**
 * The category of a parsed referrer. `ownHosts` are compared case-insensitively and exactly (list
 * every host of the workspace; subdomains are not implied).
 */
export function referrerCategory(origin: ReferrerOrigin, ownHosts: readonly string[]): ReferrerCategory {
  for (const own of ownHosts) {
    if (typeof own === 'string' && normaliseHost(own) === origin.host) return 'internal';
  }
  if (origin.scheme === 'android-app') return ANDROID_APP_CATEGORIES.get(origin.host) ?? 'other';
  if (origin.scheme === 'http' || origin.scheme === 'https') return webCategory(origin.host);
  return 'other';
}
