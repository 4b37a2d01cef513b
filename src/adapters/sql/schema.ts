import type { Generated } from 'kysely';

/**
 * Table shapes of the store, shared by every SQL engine. Times are epoch milliseconds (BIGINT),
 * booleans are 0/1 integers and lists live in their own tables, so one set of queries serves
 * SQLite and PostgreSQL alike.
 */
export interface StoreSchema {
  instance_settings: InstanceSettingsTable;
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  domains: DomainsTable;
  links: LinksTable;
  link_tags: LinkTagsTable;
  change_counters: ChangeCountersTable;
  events: EventsTable;
  ip_salts: IpSaltsTable;
  clicks: ClicksTable;
  visitor_windows: VisitorWindowsTable;
  click_rollups: ClickRollupsTable;
  consumer_cursors: ConsumerCursorsTable;
}

export interface InstanceSettingsTable {
  name: string;
  value: string;
}

export interface WorkspacesTable {
  workspace_id: string;
  name: string;
  is_default: number;
  created_at: number;
  uniqueness_rule: string;
  /** IANA zone calendar-day rules and daily buckets follow. */
  timezone: string;
}

export interface ApiKeysTable {
  key_id: string;
  workspace_id: string;
  name: string;
  /** SHA-256 of the full key, hex. Keys are 190-bit random, so a fast hash is enough. */
  key_hash: string;
  /** Last four characters of the key, to tell keys apart in a listing. */
  key_hint: string;
  /** Space-separated scope names. */
  scopes: string;
  is_operator: number;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface DomainsTable {
  domain_id: string;
  workspace_id: string;
  hostname: string;
  created_at: number;
}

export interface LinksTable {
  link_id: string;
  workspace_id: string;
  domain_id: string | null;
  /** `domain_id` or '' for the default domain: a NOT NULL column so one unique index covers both cases. */
  domain_key: string;
  alias: string;
  destination_url: string;
  redirect_type: number;
  campaign_id: string | null;
  channel: string | null;
  expires_at: number | null;
  disabled: number;
  forward_query: number;
  fallback_url: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface LinkTagsTable {
  link_id: string;
  tag: string;
}

export interface ChangeCountersTable {
  name: string;
  value: number;
}

export interface EventsTable {
  event_id: string;
  workspace_id: string;
  event_type: string;
  occurred_at: number;
  /** The full event envelope as JSON, exactly as subscribers will receive it. */
  payload: string;
}

export interface IpSaltsTable {
  workspace_id: string;
  /** UTC day the salt belongs to, `YYYY-MM-DD`. */
  day: string;
  /** 32 random bytes, hex. */
  salt: string;
  created_at: number;
}

export interface ClicksTable {
  seq: Generated<number>;
  click_id: string;
  workspace_id: string;
  link_id: string | null;
  domain_id: string | null;
  slug: string;
  campaign_id: string | null;
  occurred_at: number;
  received_at: number;
  processed_at: number;
  method: string;
  redirect_status: string;
  block_reason: string | null;
  ip_hash: string;
  ip_prefix: string;
  country: string | null;
  region: string | null;
  asn: number | null;
  device_type: string;
  os_family: string | null;
  browser_family: string | null;
  referrer_category: string;
  referrer_host: string | null;
  language: string | null;
  is_unique: number;
  uniqueness_rule: string;
  traffic_class: string;
  bot_score: number;
  is_suspicious: number;
  fraud_reason: string | null;
  /** JSON array of reason codes. */
  reasons: string;
  privacy_mode: string;
  simulated: number;
}

export interface VisitorWindowsTable {
  link_id: string;
  visitor_key: string;
  window_start: number;
}

export interface ClickRollupsTable {
  workspace_id: string;
  link_id: string;
  hour: number;
  country: string;
  device_type: string;
  referrer_category: string;
  traffic_class: string;
  is_unique: number;
  clicks: number;
}

export interface ConsumerCursorsTable {
  consumer: string;
  position: number;
  updated_at: number;
}
