import type { CapturedHeaders } from '../../click-log/raw-click.js';
import { headerText } from '../header-text.js';
import type { ReasonCode } from './reason-code.js';

/** `sec-fetch-mode` values of a top-level or frame navigation (`nested-navigate` is Chromium 76–79's spelling). */
export const NAVIGATION_FETCH_MODES: ReadonlySet<string> = new Set(['navigate', 'nested-navigate']);

/** Whether a header is absent or blank (a header sent empty tells as little as one not sent). */
function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/**
 * The reasons a request that claims to be a person's browser does not carry the headers such a
 * browser sends on a navigation, in {@link REASON_CODES} order.
 *
 * @param expectsFetchMetadata the user agent claims a browser version that always sends
 *   `sec-fetch-*`, and the link was served over HTTPS (browsers send them to secure origins only).
 */
export function missingBrowserHeaderReasons(
  headers: CapturedHeaders,
  expectsFetchMetadata: boolean,
): ReasonCode[] {
  const reasons: ReasonCode[] = [];
  if (isBlank(headerText(headers, 'accept'))) reasons.push('missing_accept');
  if (isBlank(headerText(headers, 'accept-language'))) reasons.push('missing_accept_language');
  if (
    expectsFetchMetadata &&
    isBlank(headerText(headers, 'sec-fetch-mode')) &&
    isBlank(headerText(headers, 'sec-fetch-site')) &&
    isBlank(headerText(headers, 'sec-fetch-dest'))
  ) {
    reasons.push('missing_fetch_metadata');
  }
  return reasons;
}

/** Whether `sec-fetch-mode` says the link was loaded as something other than a navigation. */
export function isNonNavigationRequest(headers: CapturedHeaders): boolean {
  const mode = headerText(headers, 'sec-fetch-mode');
  if (mode === undefined) return false;
  const normalised = mode.trim().toLowerCase();
  return normalised !== '' && !NAVIGATION_FETCH_MODES.has(normalised);
}
