/**
 * How `is_unique` is decided, chosen per workspace and named in every click:
 * - `link_visitor_24h` (default): the first click of a visitor on a link counts; later ones count
 *   again once 24 hours have passed since the last one that counted.
 * - `link_visitor_day`: one counted click per visitor, link and calendar day in the workspace's
 *   time zone.
 *
 * A visitor is an HMAC of `ip_hash` and the user agent with the day's salt. Salts change every UTC
 * day so nobody can follow a visitor across days; the same person on the next UTC day is a new
 * visitor under both rules.
 */
export const UNIQUENESS_RULES = ['link_visitor_24h', 'link_visitor_day'] as const;
export type UniquenessRule = (typeof UNIQUENESS_RULES)[number];

export const DEFAULT_UNIQUENESS_RULE: UniquenessRule = 'link_visitor_24h';

export function isUniquenessRule(value: string): value is UniquenessRule {
  return (UNIQUENESS_RULES as readonly string[]).includes(value);
}
