import type { RawClick } from '../../click-log/raw-click.js';

/**
 * Coarse device kind, as in `click.device_type`. `unknown` is a real answer here (the user agent
 * names no device we can place), not a placeholder for a missing value.
 */
export const DEVICE_TYPES = ['mobile', 'desktop', 'tablet', 'bot', 'unknown'] as const;

/** See {@link DEVICE_TYPES}. */
export type DeviceType = (typeof DEVICE_TYPES)[number];

/**
 * Where the click came from, judged from the `referer` header's host:
 * - `search` — a search engine;
 * - `social` — a social network or a messaging app;
 * - `email` — a webmail site, a mail app (`android-app://com.google.android.gm`) or a mail
 *   security redirector (Safe Links, URL Defense …);
 * - `direct` — no referrer at all (typed, bookmarked, most native apps, strict referrer policies);
 * - `internal` — one of the workspace's own hosts;
 * - `other` — any other referrer, including one too malformed to read.
 */
export const REFERRER_CATEGORIES = ['search', 'social', 'email', 'direct', 'internal', 'other'] as const;

/** See {@link REFERRER_CATEGORIES}. */
export type ReferrerCategory = (typeof REFERRER_CATEGORIES)[number];

/** What enrichment adds to a click (`click.device_type`, `os_family` …). */
export interface Enrichment {
  readonly deviceType: DeviceType;
  /** Operating system as ua-parser-js 1.x names it (`Windows`, `Mac OS`, `iOS`, `Android`, `Linux` …); `null` when unknown or for bots. */
  readonly osFamily: string | null;
  /** Browser as ua-parser-js 1.x names it (`Chrome`, `Mobile Safari`, `Instagram` …); `null` when unknown or for bots. */
  readonly browserFamily: string | null;
  readonly referrerCategory: ReferrerCategory;
  /** Lower-case host of the referrer (an Android package name for `android-app:` referrers); never a path or query. */
  readonly referrerHost: string | null;
  /** Primary language subtag of the most preferred `accept-language` entry, lower case (`de`); `null` when none. */
  readonly language: string | null;
}

/** The parts of a raw click that enrichment reads. A full {@link RawClick} fits. */
export type EnrichableClick = Pick<RawClick, 'headers'>;

/** Facts enrichment needs from outside the click. */
export interface EnrichmentOptions {
  /** The workspace's own hosts (its link domains, its site); a referrer from one of them is `internal`. */
  readonly ownHosts?: readonly string[];
  /** The classifier's verdict (`Classification.isBot`): bots get device type `bot` and no OS or browser. */
  readonly isBot?: boolean;
}
