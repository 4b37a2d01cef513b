/**
 * Browsers that send `sec-fetch-site`/`sec-fetch-mode`/`sec-fetch-dest` on every navigation to an
 * HTTPS URL, from the major version given. A client whose user agent claims one of these versions
 * but sends none of the headers is not that browser.
 *
 * Versions are where the headers shipped, rounded up to be safe: Chromium 76 (dest in 80),
 * Firefox 90, Safari 16.4. Android WebViews (`; wv)`) are left out — in-app browsers embed them
 * with app-specific networking — and so are iOS in-app browsers, which carry no `Version/` token.
 */
export interface FetchMetadataBrowser {
  /** The browser family, for people reading the list. */
  readonly browser: string;
  /** Captures the claimed major version. */
  readonly version: RegExp;
  /** First major version that always sends fetch metadata. */
  readonly since: number;
}

/** See {@link FetchMetadataBrowser}. */
export const FETCH_METADATA_BROWSERS: readonly FetchMetadataBrowser[] = [
  {
    browser: 'Chromium (Chrome, Edge, Opera, Samsung Internet, Brave …)',
    version: /\bChrome\/(\d+)\./,
    since: 80,
  },
  { browser: 'Firefox', version: /\bFirefox\/(\d+)\./, since: 90 },
  {
    browser: 'Safari (macOS, iOS, iPadOS)',
    version: /\bVersion\/(\d+)\.[\d.]* (?:Mobile\/\w+ )?Safari\//,
    since: 17,
  },
];

const ANDROID_WEBVIEW = /; wv\)/;

/** Whether `userAgent` claims a browser version that always sends `sec-fetch-*` headers. */
export function claimsFetchMetadataBrowser(userAgent: string): boolean {
  if (ANDROID_WEBVIEW.test(userAgent)) return false;
  for (const { version, since } of FETCH_METADATA_BROWSERS) {
    const major = version.exec(userAgent)?.[1];
    if (major !== undefined) return Number(major) >= since;
  }
  return false;
}
