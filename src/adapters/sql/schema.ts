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
  click_hourly_totals: ClickHourlyTotalsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_subscription_events: WebhookSubscriptionEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_batch_events: WebhookBatchEventsTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_replays: WebhookReplaysTable;
  erasure_requests: ErasureRequestsTable;
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
  /** Retention in days (migration 0006); `rollup_retention_days` NULL keeps rollups forever. */
  raw_click_retention_days: Generated<number>;
  event_retention_days: Generated<number>;
  rollup_retention_days: number | null;
  /** JSON object of privacy switches; absent keys take their defaults. */
  privacy_options: Generated<string>;
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
  /** Commit order (migration 0003): the dispatcher's cursor moves along it. */
  seq: Generated<number>;
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

/**
 * Workspace-wide clicks per UTC hour (migration 0004): `click_rollups` summed over link, country,
 * device and referrer, one row per hour with each traffic class's clicks and unique clicks in
 * columns, kept by triggers. Link clicks only.
 */
export interface ClickHourlyTotalsTable {
  workspace_id: string;
  hour: number;
  human: number;
  human_unique: number;
  bot: number;
  bot_unique: number;
  link_preview: number;
  link_preview_unique: number;
  prefetch: number;
  prefetch_unique: number;
  security_scanner: number;
  security_scanner_unique: number;
}

/** Webhook subscriptions (migration 0003). Lists are JSON arrays; a `null` filter means "no filter". */
export interface WebhookSubscriptionsTable {
  subscription_id: string;
  workspace_id: string;
  url: string;
  description: string | null;
  event_types: string;
  filter_link_ids: string | null;
  filter_tags: string | null;
  filter_campaign_id: string | null;
  filter_traffic_classes: string | null;
  /** `immediate` or `batch`; the batch columns are set for `batch` only. */
  mode: string;
  batch_max_events: number | null;
  batch_max_wait_ms: number | null;
  max_attempts: number;
  rate_limit_per_second: number | null;
  status: string;
  status_reason: string | null;
  status_changed_at: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  /** `events.seq` when the subscription was created: it receives later events only. */
  starts_after_event: number;
  /** Number of the newest event in the subscription's stream. */
  last_sequence: number;
  /** Batch mode: events of the stream up to this number are in a batch; later ones wait for one. */
  batched_through: number;
  consecutive_failures: number;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** A subscription's stream: each event fanned out to it, numbered 1, 2, 3… without gaps. */
export interface WebhookSubscriptionEventsTable {
  subscription_id: string;
  sequence: number;
  event_id: string;
  created_at: number;
}

/** One unit of sending: an event, a batch or a test event, with its lifecycle. */
export interface WebhookDeliveriesTable {
  delivery_id: string;
  workspace_id: string;
  subscription_id: string;
  /** `event`, `batch` or `test`. */
  kind: string;
  /** `fanout`, `replay` or `test`. */
  origin: string;
  replay_id: string | null;
  webhook_id: string;
  /** The event, for `event` and `test` deliveries. */
  event_id: string | null;
  /** The event's number in the stream, for `event` deliveries. */
  sequence: number | null;
  /** The body of a `test` delivery (its event is not in `events`). */
  payload: string | null;
  event_count: number;
  status: string;
  failure_reason: string | null;
  attempt_count: number;
  /** When the next attempt is planned; `null` once the delivery is settled. */
  next_attempt_at: number | null;
  /** While claimed by a dispatcher: until when nobody else may claim it. */
  lease_until: number | null;
  /** When it can next be claimed: `lease_until` while leased, else `next_attempt_at` (the claim index's key). */
  due_at: number | null;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error_category: string | null;
  last_duration_ms: number | null;
  created_at: number;
  completed_at: number | null;
}

/** The events of a batch delivery and their state (a partial failure settles some and not others). */
export interface WebhookBatchEventsTable {
  delivery_id: string;
  sequence: number;
  event_id: string;
  state: string;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  attempt_number: number;
  subscription_id: string;
  trigger: string;
  started_at: number;
  duration_ms: number;
  outcome: string;
  status_code: number | null;
  error_category: string | null;
  error_detail: string | null;
  /** JSON object of the headers sent. */
  request_headers: string;
  /** At most 4 KB of the answer. */
  response_body: string | null;
}

/** Audit trail of replays: who asked for what, when, and how much it sent. */
export interface WebhookReplaysTable {
  replay_id: string;
  workspace_id: string;
  subscription_id: string;
  /** JSON of the selection. */
  selection: string;
  requested_by: string;
  requested_at: number;
  event_count: number;
  delivery_count: number;
}

/** The erasure request log (migration 0006): what was asked, by whom, and what it removed. */
export interface ErasureRequestsTable {
  request_id: string;
  workspace_id: string;
  fingerprint: string;
  kind: string;
  selector: string;
  status: string;
  requested_by: string;
  requested_at: number;
  started_at: number | null;
  finished_at: number | null;
  clicks_erased: number;
  raw_clicks_erased: number;
  events_purged: number;
  delivery_bodies_purged: number;
  rollup_clicks_subtracted: number;
  salt_days: number;
  error: string | null;
}
