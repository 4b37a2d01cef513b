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

/** Auto-generated columns would be typed `Generated<T>`; none yet, kept for adapters that add some. */
export type { Generated };
