import type { ReasonCode } from './reason-code.js';

/**
 * Weight of each signal: the probability, on its own, that a click showing it is not a person's
 * deliberate visit. Tuned by judgement, not fitted to data: a self-identifying user agent is
 * near-certain, a missing header or a cloud network is only a hint.
 */
export const SIGNAL_WEIGHTS: Readonly<Record<ReasonCode, number>> = {
  ua_link_preview: 0.95,
  ua_security_scanner: 0.95,
  ua_known_bot: 0.95,
  ua_headless_browser: 0.9,
  ua_missing: 0.7,
  ua_not_browser_like: 0.6,
  prefetch_header: 0.9,
  head_request: 0.7,
  non_navigation_request: 0.5,
  missing_accept: 0.3,
  missing_accept_language: 0.35,
  missing_fetch_metadata: 0.4,
  datacenter_network: 0.4,
  burst_same_visitor_link: 0.5,
  burst_network_distinct_links: 0.6,
};

/**
 * Combines the weights of the signals that fired as independent evidence:
 * `bot_score = 1 − Π (1 − wᵢ)`.
 *
 * What must stay true: the score is 0 with no signal, stays within 0..1, and is monotone — adding
 * a signal multiplies the product by a factor in [0, 1], so more evidence never lowers the score.
 * A signal listed twice counts once. Rounded to 4 decimals so events stay short and stable.
 */
export function botScore(reasons: readonly ReasonCode[]): number {
  let allClear = 1;
  for (let i = 0; i < reasons.length; i++) {
    const code = reasons[i] as ReasonCode;
    // Lists hold a handful of codes, so a scan is cheaper than allocating a Set per click.
    if (reasons.indexOf(code) !== i) continue;
    allClear *= 1 - SIGNAL_WEIGHTS[code];
  }
  return Math.round((1 - allClear) * 10_000) / 10_000;
}

/** Score from which a client with no self-declared identity is classified `bot` on heuristics alone. */
export const HEURISTIC_BOT_SCORE = 0.8;
