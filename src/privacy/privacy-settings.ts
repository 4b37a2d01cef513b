/**
 * A workspace's privacy settings: what the edge collects at all (off = never derived, never
 * written) and how long each tier of data is kept. Plain values, so they can cross to the capture
 * thread and be cached by the edge with its routes.
 */

const DAY_MS = 86_400_000;

/** What the edge derives from a request. Every switch off means the value is never computed or stored. */
export interface PrivacyOptions {
  /** Keyed daily hash of the client address (`ip_hash`): uniqueness and erasure by visitor need it. */
  readonly ipHash: boolean;
  /** Truncated network (IPv4 /24, IPv6 /48): burst detection across one network needs it. */
  readonly ipPrefix: boolean;
  /** Country of the address, looked up in memory. */
  readonly country: boolean;
  /** Autonomous system of the address (data-centre detection). */
  readonly asn: boolean;
  /** `host`: the Referer header is cut to its origin at the edge; `off`: not kept at all. */
  readonly referrer: ReferrerMode;
  /** Primary language from Accept-Language. */
  readonly language: boolean;
  /**
   * The raw user agent stays in the raw click (needed to re-classify history): `raw_retention`
   * keeps it as long as the raw click; `until_processed` removes it once the processor has stored
   * the click (the families derived from it stay).
   */
  readonly userAgent: UserAgentRetention;
}

export const REFERRER_MODES = ['host', 'off'] as const;
export type ReferrerMode = (typeof REFERRER_MODES)[number];

export const USER_AGENT_RETENTIONS = ['raw_retention', 'until_processed'] as const;
export type UserAgentRetention = (typeof USER_AGENT_RETENTIONS)[number];

/** How long each tier is kept, in days. */
export interface RetentionSettings {
  /** Raw clicks: the click log's raw clicks and the stored clicks. */
  readonly rawClickDays: number;
  /** Events (the payloads webhooks send) and what the delivery log keeps of delivery bodies. */
  readonly eventDays: number;
  /** Hourly rollups; `null` keeps them forever. */
  readonly rollupDays: number | null;
}

export interface WorkspacePrivacy {
  readonly privacy: PrivacyOptions;
  readonly retention: RetentionSettings;
}

/** Bounds the API enforces and the schema reuses. */
export const RETENTION_LIMITS = {
  minDays: 1,
  maxDays: 3650,
} as const;

export const DEFAULT_PRIVACY_OPTIONS: PrivacyOptions = {
  ipHash: true,
  ipPrefix: true,
  country: true,
  asn: true,
  referrer: 'host',
  language: true,
  userAgent: 'raw_retention',
};

export const DEFAULT_RETENTION: RetentionSettings = { rawClickDays: 90, eventDays: 30, rollupDays: null };

export const DEFAULT_WORKSPACE_PRIVACY: WorkspacePrivacy = {
  privacy: DEFAULT_PRIVACY_OPTIONS,
  retention: DEFAULT_RETENTION,
};

/**
 * The privacy mode a click was captured under, as clicks and answers state it, e.g.
 * `{ ip: "prefix/24+hash-daily", geo: "country+asn", referrer: "host", language: "primary",
 * user_agent: "raw-retention" }`. IPv6 prefixes are /48 where the label says /24.
 */
export interface PrivacyMode {
  readonly ip: 'prefix/24+hash-daily' | 'prefix/24' | 'hash-daily' | 'none';
  readonly geo: 'country+asn' | 'country' | 'asn' | 'none';
  readonly referrer: 'host' | 'none';
  readonly language: 'primary' | 'none';
  readonly user_agent: 'raw-retention' | 'until-processed';
}

/**
 * Label of the default mode. It is the label every click carried before modes could differ
 * (migration 0006), kept for the default so `privacy_mode` keeps its value for existing subscribers.
 */
export const LEGACY_PRIVACY_MODE_LABEL = 'hashed_ip_truncated_prefix';

export function privacyModeOf(options: PrivacyOptions): PrivacyMode {
  const ip = [options.ipPrefix ? 'prefix/24' : null, options.ipHash ? 'hash-daily' : null]
    .filter((part) => part !== null)
    .join('+');
  const geo = [options.country ? 'country' : null, options.asn ? 'asn' : null]
    .filter((part) => part !== null)
    .join('+');
  return {
    ip: (ip || 'none') as PrivacyMode['ip'],
    geo: (geo || 'none') as PrivacyMode['geo'],
    referrer: options.referrer === 'host' ? 'host' : 'none',
    language: options.language ? 'primary' : 'none',
    user_agent: options.userAgent === 'raw_retention' ? 'raw-retention' : 'until-processed',
  };
}

const MODE_KEYS = ['ip', 'geo', 'referrer', 'language', 'user_agent'] as const;

/**
 * The compact label stored with a click and sent as `privacy_mode`: `hashed_ip_truncated_prefix`
 * for the default mode, else `ip=prefix/24;geo=country;referrer=none;…`.
 */
export function privacyModeLabel(mode: PrivacyMode): string {
  const label = MODE_KEYS.map((key) => `${key}=${mode[key]}`).join(';');
  return label === DEFAULT_MODE_PARTS ? LEGACY_PRIVACY_MODE_LABEL : label;
}

const DEFAULT_MODE = privacyModeOf(DEFAULT_PRIVACY_OPTIONS);
const DEFAULT_MODE_PARTS = MODE_KEYS.map((key) => `${key}=${DEFAULT_MODE[key]}`).join(';');

export const DEFAULT_PRIVACY_MODE_LABEL = LEGACY_PRIVACY_MODE_LABEL;

/** Reads a stored label back; the legacy label and anything unreadable read as the default mode. */
export function parsePrivacyModeLabel(label: string): PrivacyMode {
  const fallback = privacyModeOf(DEFAULT_PRIVACY_OPTIONS);
  if (label === LEGACY_PRIVACY_MODE_LABEL) return fallback;
  const parts = new Map(
    label.split(';').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at), part.slice(at + 1)] as const;
    }),
  );
  const mode = Object.fromEntries(MODE_KEYS.map((key) => [key, parts.get(key) ?? fallback[key]]));
  return mode as unknown as PrivacyMode;
}

/** Start of the raw-retention window at `now`: raw clicks that occurred before it are gone or going. */
export function rawRetentionStart(retention: RetentionSettings, now: number): number {
  return now - retention.rawClickDays * DAY_MS;
}

export function daysToMs(days: number): number {
  return days * DAY_MS;
}
