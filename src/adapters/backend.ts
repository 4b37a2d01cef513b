import type { AnalyticsStore } from '../analytics/analytics-store.js';
import type { ClickLog } from '../click-log/click-log.js';
import type { ClickLogPruning } from '../click-log/click-log-pruning.js';
import type { ClickReadStore } from '../clicks/click-read-store.js';
import type { DomainStore } from '../domains/domain-store.js';
import type { EventFeedStore } from '../events/event-feed-store.js';
import type { EventStore } from '../events/event-store.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import type { LinkStore } from '../links/link-store.js';
import type { ErasureStore } from '../privacy/erasure-store.js';
import type { IpSaltStore } from '../privacy/ip-salt-store.js';
import type { RetentionStore } from '../privacy/retention-store.js';
import type { WorkspacePrivacyStore } from '../privacy/workspace-privacy-store.js';
import type { ProcessingStore } from '../processing/processing-store.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { ApiKeyStore } from '../tenancy/api-key-store.js';
import type { WorkspaceStore } from '../tenancy/workspace-store.js';
import type { DeliveryLog } from '../webhooks/delivery-log.js';
import type { DeliveryStore } from '../webhooks/delivery-store.js';
import type { SubscriptionStore } from '../webhooks/subscription-store.js';

/** Every port a role may need, as one engine (or pair of engines) provides them. */
export interface Backend {
  readonly links: LinkStore;
  readonly domains: DomainStore;
  readonly workspaces: WorkspaceStore;
  readonly apiKeys: ApiKeyStore;
  readonly events: EventStore;
  readonly ipSalts: IpSaltStore;
  readonly settings: SettingsStore;
  readonly processing: ProcessingStore;
  readonly clickLog: ClickLog;
  /** Stored clicks for the query API. */
  readonly clickReads: ClickReadStore;
  /** Click counts from rollups for the analytics routes. */
  readonly analytics: AnalyticsStore;
  /** Events in commit order for `GET /v1/events`. */
  readonly eventFeed: EventFeedStore;
  readonly subscriptions: SubscriptionStore;
  readonly deliveries: DeliveryStore;
  readonly deliveryLog: DeliveryLog;
  /** `Idempotency-Key` records of the API's mutating requests. */
  readonly idempotency: IdempotencyStore;
  /** Retention and privacy options per workspace. */
  readonly workspacePrivacy: WorkspacePrivacyStore;
  /** Deletes what retention has expired. */
  readonly retention: RetentionStore;
  /** The erasure request log and erasure of stored clicks. */
  readonly erasures: ErasureStore;
  /** Deleting raw clicks from the click log; `null` where the log expires them by age itself. */
  readonly clickLogPruning: ClickLogPruning | null;
  /** Flushes pending click-log commits, then closes every connection. */
  close(): Promise<void>;
}
