import { headerText } from '../header-text.js';
import { botScore, HEURISTIC_BOT_SCORE } from './bot-score.js';
import { isNonNavigationRequest, missingBrowserHeaderReasons } from './browser-headers.js';
import { BURST_RULES, isBurst } from './burst-signals.js';
import type { ClassifiableClick, Classification, ClassificationContext } from './classification.js';
import { isDatacenterNetwork } from './datacenter-networks.js';
import { mostTellingFraudReason } from './fraud-reason.js';
import { announcesPrefetch } from './prefetch-headers.js';
import type { ReasonCode } from './reason-code.js';
import type { TrafficClass } from './traffic-class.js';
import { type UserAgentTraits, userAgentTraits } from './user-agent-traits.js';

/**
 * Classifies one click from its captured headers, method and network, plus the burst counts the
 * caller keeps. Pure and allocation-light: the user-agent work is memoised per distinct string.
 *
 * Signals (see `REASON_CODES`) are gathered first; header expectations are only checked for
 * clients that do not name themselves (a crawler is not expected to send `accept-language`).
 * The class is then the first rule that holds:
 *
 * 1. `link_preview` — the user agent names a preview fetcher (this wins over `isbot`, which also
 *    matches most of them);
 * 2. `security_scanner` — the user agent names a security product;
 * 3. `bot` — the user agent matches `isbot` or names a headless browser;
 * 4. `security_scanner` — a browser-looking user agent with at least two of: a datacenter network,
 *    missing browser headers, a burst of distinct links from its network (the disguised
 *    "Safe Links" pattern);
 * 5. `prefetch` — a prefetch/prerender/preview header, or a HEAD request;
 * 6. `bot` — the combined score reaches {@link HEURISTIC_BOT_SCORE};
 * 7. `human`.
 *
 * `botScore` combines every fired signal (see `botScore`), so it is monotone in the evidence;
 * `isSuspicious`/`fraudReason` report evasive signals, except for clients that name themselves.
 */
export function classifyClick(click: ClassifiableClick, context: ClassificationContext = {}): Classification {
  const { headers } = click;
  const userAgent = headerText(headers, 'user-agent')?.trim() ?? '';
  const traits: UserAgentTraits | null = userAgent === '' ? null : userAgentTraits(userAgent);
  const selfDeclared = traits !== null && (traits.linkPreview || traits.securityScanner || traits.knownBot);

  const reasons: ReasonCode[] = [];
  if (traits === null) {
    reasons.push('ua_missing');
  } else {
    if (traits.linkPreview) reasons.push('ua_link_preview');
    if (traits.securityScanner) reasons.push('ua_security_scanner');
    if (traits.knownBot) reasons.push('ua_known_bot');
    if (traits.headless) reasons.push('ua_headless_browser');
    if (!selfDeclared && !traits.headless && !traits.browserLike) reasons.push('ua_not_browser_like');
  }
  if (announcesPrefetch(headers)) reasons.push('prefetch_header');
  if (click.method === 'HEAD') reasons.push('head_request');
  if (isNonNavigationRequest(headers)) reasons.push('non_navigation_request');
  if (!selfDeclared) {
    const expectsFetchMetadata =
      traits?.expectsFetchMetadata === true && context.expectFetchMetadata !== false;
    for (const reason of missingBrowserHeaderReasons(headers, expectsFetchMetadata)) reasons.push(reason);
  }
  if (isDatacenterNetwork(click.asn, click.asnOrg)) reasons.push('datacenter_network');
  const burst = context.burst;
  if (burst) {
    if (
      isBurst(burst.recentClicksSameVisitorSameLink, burst.windowSeconds, BURST_RULES.sameVisitorSameLink)
    ) {
      reasons.push('burst_same_visitor_link');
    }
    if (
      isBurst(burst.recentDistinctLinksSameNetwork, burst.windowSeconds, BURST_RULES.sameNetworkDistinctLinks)
    ) {
      reasons.push('burst_network_distinct_links');
    }
  }
  // reasons were pushed in REASON_CODES order; keep it that way when adding signals.

  const score = botScore(reasons);
  const trafficClass = chooseClass(traits, reasons, score);
  // A client that names itself is honest about what it is, whatever its network or pace —
  // unless what it names is a headless browser, the usual tool of click fraud.
  const honest =
    traits !== null &&
    (traits.linkPreview || traits.securityScanner || (traits.knownBot && !traits.headless));
  const fraudReason = honest ? null : mostTellingFraudReason(reasons);
  return {
    trafficClass,
    isBot: trafficClass !== 'human',
    botScore: score,
    isSuspicious: fraudReason !== null,
    fraudReason,
    reasons,
  };
}

function chooseClass(
  traits: UserAgentTraits | null,
  reasons: readonly ReasonCode[],
  score: number,
): TrafficClass {
  if (traits?.linkPreview) return 'link_preview';
  if (traits?.securityScanner) return 'security_scanner';
  if (traits?.knownBot || traits?.headless) return 'bot';
  if (traits?.browserLike && looksLikeDisguisedScanner(reasons)) return 'security_scanner';
  if (reasons.includes('prefetch_header') || reasons.includes('head_request')) return 'prefetch';
  if (score >= HEURISTIC_BOT_SCORE) return 'bot';
  return 'human';
}

/** Two of the three marks of a scanner posing as a browser. */
function looksLikeDisguisedScanner(reasons: readonly ReasonCode[]): boolean {
  const marks =
    Number(reasons.includes('datacenter_network')) +
    Number(
      reasons.includes('missing_accept') ||
        reasons.includes('missing_accept_language') ||
        reasons.includes('missing_fetch_metadata'),
    ) +
    Number(reasons.includes('burst_network_distinct_links'));
  return marks >= 2;
}
