import type { CapturedHeaderName, CapturedHeaders } from '../../click-log/raw-click.js';
import { headerText } from '../header-text.js';

/**
 * Headers by which browsers announce a speculative fetch, and the values that do so:
 * - `sec-purpose: prefetch` / `prefetch;prerender` — Chromium speculation rules and `<link rel=prefetch>`;
 * - `purpose: prefetch` — the older Chromium and Opera spelling;
 * - `x-moz: prefetch` — Firefox link prefetching;
 * - `x-purpose: preview` — Safari's top-sites and link previews.
 * Values are matched as case-insensitive substrings, since several tokens may be combined.
 */
export const PREFETCH_HEADERS: readonly { readonly header: CapturedHeaderName; readonly value: RegExp }[] = [
  { header: 'sec-purpose', value: /prefetch|prerender/i },
  { header: 'purpose', value: /prefetch|prerender|preview/i },
  { header: 'x-moz', value: /prefetch/i },
  { header: 'x-purpose', value: /prefetch|prerender|preview/i },
];

/** Whether the request announces itself as a prefetch, prerender or preview. */
export function announcesPrefetch(headers: CapturedHeaders): boolean {
  for (const { header, value } of PREFETCH_HEADERS) {
    const actual = headerText(headers, header);
    if (actual !== undefined && value.test(actual)) return true;
  }
  return false;
}
