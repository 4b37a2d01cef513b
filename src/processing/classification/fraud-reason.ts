import type { ReasonCode } from './reason-code.js';

/**
 * Why a click is suspicious: the single most telling evasive signal, for people triaging clicks.
 * Listed most telling first — when several apply, the earliest one in this list is reported.
 *
 * Fraud reasons describe clients that hide what they are. A client that names itself (Googlebot,
 * Slackbot, a scanner with its own user agent) is a bot or preview, not fraud, and gets none.
 */
export const FRAUD_REASONS = [
  /** The user agent names a headless or automated browser. */
  'headless_browser',
  /** One network clicked many distinct links seconds apart. */
  'network_burst',
  /** One visitor clicked the same link too often too fast. */
  'burst',
  /** A browser-looking client on a hosting or cloud network. */
  'datacenter_network',
  /** No user agent at all. */
  'missing_user_agent',
  /** The user agent is neither a browser nor a known bot. */
  'unrecognised_user_agent',
  /** The link was loaded as a sub-resource or by script, not navigated to. */
  'non_navigation_request',
  /** Headers every real browser sends are absent. */
  'missing_browser_headers',
] as const;

/** See {@link FRAUD_REASONS}. */
export type FraudReason = (typeof FRAUD_REASONS)[number];

/** Which reason codes are evasive, and the fraud reason each stands for. Codes not listed never make a click suspicious. */
export const FRAUD_REASON_BY_CODE: ReadonlyMap<ReasonCode, FraudReason> = new Map<ReasonCode, FraudReason>([
  ['ua_headless_browser', 'headless_browser'],
  ['burst_network_distinct_links', 'network_burst'],
  ['burst_same_visitor_link', 'burst'],
  ['datacenter_network', 'datacenter_network'],
  ['ua_missing', 'missing_user_agent'],
  ['ua_not_browser_like', 'unrecognised_user_agent'],
  ['non_navigation_request', 'non_navigation_request'],
  ['missing_accept', 'missing_browser_headers'],
  ['missing_accept_language', 'missing_browser_headers'],
  ['missing_fetch_metadata', 'missing_browser_headers'],
]);

const PRIORITY: ReadonlyMap<FraudReason, number> = new Map(
  FRAUD_REASONS.map((reason, index) => [reason, index]),
);

/** The most telling fraud reason among `reasons`, or `null` when none of them is evasive. */
export function mostTellingFraudReason(reasons: readonly ReasonCode[]): FraudReason | null {
  let best: FraudReason | null = null;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const code of reasons) {
    const fraud = FRAUD_REASON_BY_CODE.get(code);
    if (fraud === undefined) continue;
    const rank = PRIORITY.get(fraud) ?? Number.POSITIVE_INFINITY;
    if (rank < bestRank) {
      best = fraud;
      bestRank = rank;
    }
  }
  return best;
}
