import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { newId } from '../../kernel/ids.js';
import { retryOnConflict } from '../../kernel/store-conflict.js';
import type { TrafficClass } from '../../processing/classification/traffic-class.js';
import type { FailureStreak } from '../../webhooks/pause-policy.js';
import type {
  DeliveryMode,
  Subscription,
  SubscriptionSecrets,
  SubscriptionStatus,
} from '../../webhooks/subscription.js';
import type { StatusChange, SubscriptionPage, SubscriptionStore } from '../../webhooks/subscription-store.js';
import type { StoreSchema, WebhookSubscriptionsTable } from './schema.js';
import type { SqlEngine } from './sql-engine.js';

type Db = Kysely<StoreSchema> | Transaction<StoreSchema>;

/** Name of the change counter that versions the subscription list. */
const SUBSCRIPTIONS_COUNTER = 'webhook_subscriptions';

export class SqlSubscriptionStore implements SubscriptionStore {
  constructor(private readonly engine: SqlEngine) {}

  async insert(subscription: Subscription): Promise<Subscription> {
    return this.write(async (trx) => {
      // Under the write lock: an event committed after this one gets a larger seq, so the new
      // subscription receives it; one committed before does not.
      const head = await trx
        .selectFrom('events')
        .select((eb) => eb.fn.max('seq').as('head'))
        .executeTakeFirst();
      const stored = { ...subscription, startsAfterEvent: Number(head?.head ?? 0) };
      await trx.insertInto('webhook_subscriptions').values(toRow(stored)).execute();
      return stored;
    });
  }

  async get(workspaceId: string, subscriptionId: string): Promise<Subscription | null> {
    const row = await this.engine.db
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('subscription_id', '=', subscriptionId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? subscriptionFromRow(row) : null;
  }

  async list(workspaceId: string, page: SubscriptionPage): Promise<Subscription[]> {
    let query = this.engine.db
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('deleted_at', 'is', null);
    if (page.beforeSubscriptionId !== null)
      query = query.where('subscription_id', '<', page.beforeSubscriptionId);
    const rows = await query.orderBy('subscription_id', 'desc').limit(page.limit).execute();
    return rows.map(subscriptionFromRow);
  }

  async update(subscription: Subscription, at: number): Promise<boolean> {
    return this.write(async (trx) => {
      const current = await liveRow(trx, subscription.workspaceId, subscription.subscriptionId);
      if (!current) return false;
      const definition = toRow(subscription);
      const wasBatch = current.mode === 'batch';
      const isBatch = subscription.mode.kind === 'batch';
      await trx
        .updateTable('webhook_subscriptions')
        .set({
          url: definition.url,
          description: definition.description,
          event_types: definition.event_types,
          filter_link_ids: definition.filter_link_ids,
          filter_tags: definition.filter_tags,
          filter_campaign_id: definition.filter_campaign_id,
          filter_traffic_classes: definition.filter_traffic_classes,
          mode: definition.mode,
          batch_max_events: definition.batch_max_events,
          batch_max_wait_ms: definition.batch_max_wait_ms,
          max_attempts: definition.max_attempts,
          rate_limit_per_second: definition.rate_limit_per_second,
          // Batching starts with the next event: what is in the stream now is delivered already or
          // (leaving batch mode) becomes deliveries just below.
          batched_through: isBatch && !wasBatch ? current.last_sequence : current.batched_through,
          updated_at: at,
        })
        .where('subscription_id', '=', subscription.subscriptionId)
        .execute();
      if (wasBatch && !isBatch) await unbatchQueue(trx, current, at);
      return true;
    });
  }

  async changeStatus(workspaceId: string, subscriptionId: string, change: StatusChange): Promise<boolean> {
    return this.write(async (trx) => {
      const current = await liveRow(trx, workspaceId, subscriptionId);
      if (!current) return false;
      const from = current.status as SubscriptionStatus;
      if (change.onlyFrom && !change.onlyFrom.includes(from)) return false;
      // Deliveries before the subscription row: the order in which a dispatcher recording attempts
      // locks them, so the two do not deadlock on PostgreSQL.
      if (change.status === 'active' && from !== 'active')
        await makeBacklogDue(trx, subscriptionId, change.at);
      if (change.status === 'disabled')
        await failOpenDeliveries(trx, subscriptionId, 'subscription_disabled', change.at);
      await trx
        .updateTable('webhook_subscriptions')
        .set({
          status: change.status,
          status_reason: change.reason,
          status_changed_at: change.at,
          updated_at: change.at,
          ...(change.status === 'active' ? { consecutive_failures: 0, failing_since: null } : {}),
          ...(change.status === 'disabled' ? { batched_through: current.last_sequence } : {}),
        })
        .where('subscription_id', '=', subscriptionId)
        .execute();
      return true;
    });
  }

  async replaceSecrets(
    workspaceId: string,
    subscriptionId: string,
    secrets: SubscriptionSecrets,
    at: number,
  ): Promise<boolean> {
    return this.engine.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('webhook_subscriptions')
        .set({ ...secretColumns(secrets), updated_at: at })
        .where('workspace_id', '=', workspaceId)
        .where('subscription_id', '=', subscriptionId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await bumpSubscriptionsVersion(trx);
      return true;
    });
  }

  async delete(workspaceId: string, subscriptionId: string, at: number): Promise<boolean> {
    return this.write(async (trx) => {
      const current = await liveRow(trx, workspaceId, subscriptionId);
      if (!current) return false;
      await trx
        .updateTable('webhook_subscriptions')
        .set({ deleted_at: at, updated_at: at, batched_through: current.last_sequence })
        .where('subscription_id', '=', subscriptionId)
        .execute();
      await failOpenDeliveries(trx, subscriptionId, 'subscription_deleted', at);
      return true;
    });
  }

  async listLive(): Promise<{ version: number; subscriptions: Subscription[] }> {
    // One transaction, so the version matches the rows read.
    return this.engine.db.transaction().execute(async (trx) => {
      const version = await readSubscriptionsVersion(trx);
      const rows = await trx
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('deleted_at', 'is', null)
        .orderBy('subscription_id')
        .execute();
      return { version, subscriptions: rows.map(subscriptionFromRow) };
    });
  }

  version(): Promise<number> {
    return readSubscriptionsVersion(this.engine.db);
  }

  /**
   * A transaction that writes first: bumping the version takes SQLite's write lock before anything
   * is read. A transaction that reads first and writes later fails outright (SQLITE_BUSY, no
   * waiting) when another connection — the processor thread writing events — committed in between.
   */
  private write<T>(work: (trx: Transaction<StoreSchema>) => Promise<T>): Promise<T> {
    // On PostgreSQL a dispatcher recording attempts can lock the same delivery and subscription
    // rows; of two transactions that deadlock, the aborted one runs again (see retryOnConflict).
    return retryOnConflict(() =>
      this.engine.db.transaction().execute(async (trx) => {
        await bumpSubscriptionsVersion(trx);
        return work(trx);
      }),
    );
  }

  async failureStreak(subscriptionId: string): Promise<FailureStreak | null> {
    const row = await this.engine.db
      .selectFrom('webhook_subscriptions')
      .select(['consecutive_failures', 'failing_since'])
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirst();
    return row ? streakOf(row) : null;
  }
}

async function liveRow(
  trx: Db,
  workspaceId: string,
  subscriptionId: string,
): Promise<Selectable<WebhookSubscriptionsTable> | undefined> {
  return trx
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('subscription_id', '=', subscriptionId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** On resume: everything open goes out now, in the order it was created (oldest first). */
async function makeBacklogDue(trx: Db, subscriptionId: string, at: number): Promise<void> {
  await trx
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: at, lease_until: null, due_at: at })
    .where('subscription_id', '=', subscriptionId)
    .where('due_at', 'is not', null)
    .execute();
}

/** Settles every open delivery of the subscription as failed, batch events included. */
export async function failOpenDeliveries(
  trx: Db,
  subscriptionId: string,
  reason: 'subscription_disabled' | 'subscription_deleted',
  at: number,
): Promise<void> {
  await trx
    .updateTable('webhook_batch_events')
    .set({ state: 'failed' })
    .where('state', '=', 'pending')
    .where('delivery_id', 'in', (eb) =>
      eb
        .selectFrom('webhook_deliveries')
        .select('delivery_id')
        .where('subscription_id', '=', subscriptionId)
        .where('due_at', 'is not', null),
    )
    .execute();
  await trx
    .updateTable('webhook_deliveries')
    .set({
      status: 'failed',
      failure_reason: reason,
      next_attempt_at: null,
      lease_until: null,
      due_at: null,
      completed_at: at,
    })
    .where('subscription_id', '=', subscriptionId)
    .where('due_at', 'is not', null)
    .execute();
}

/** Leaving batch mode: the events waiting for a batch become one delivery each. */
async function unbatchQueue(
  trx: Db,
  current: Selectable<WebhookSubscriptionsTable>,
  at: number,
): Promise<void> {
  const waiting = await trx
    .selectFrom('webhook_subscription_events')
    .select(['sequence', 'event_id'])
    .where('subscription_id', '=', current.subscription_id)
    .where('sequence', '>', current.batched_through)
    .orderBy('sequence')
    .execute();
  for (let i = 0; i < waiting.length; i += 200) {
    await trx
      .insertInto('webhook_deliveries')
      .values(
        waiting.slice(i, i + 200).map((item) => ({
          delivery_id: newId('delivery', at),
          workspace_id: current.workspace_id,
          subscription_id: current.subscription_id,
          kind: 'event',
          origin: 'fanout',
          replay_id: null,
          webhook_id: item.event_id,
          event_id: item.event_id,
          sequence: Number(item.sequence),
          payload: null,
          event_count: 1,
          status: 'pending',
          attempt_count: 0,
          next_attempt_at: at,
          due_at: at,
          created_at: at,
        })),
      )
      .execute();
  }
  await trx
    .updateTable('webhook_subscriptions')
    .set({ batched_through: current.last_sequence })
    .where('subscription_id', '=', current.subscription_id)
    .execute();
}

export async function bumpSubscriptionsVersion(trx: Db): Promise<void> {
  await trx
    .insertInto('change_counters')
    .values({ name: SUBSCRIPTIONS_COUNTER, value: 1 })
    .onConflict((conflict) =>
      conflict.column('name').doUpdateSet((eb) => ({ value: eb('change_counters.value', '+', 1) })),
    )
    .execute();
}

export async function readSubscriptionsVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom('change_counters')
    .select('value')
    .where('name', '=', SUBSCRIPTIONS_COUNTER)
    .executeTakeFirst();
  return row ? Number(row.value) : 0;
}

function secretColumns(secrets: SubscriptionSecrets) {
  return {
    secret: secrets.current,
    previous_secret: secrets.previous?.secret ?? null,
    previous_secret_expires_at: secrets.previous?.expiresAt ?? null,
  };
}

function toRow(subscription: Subscription): Insertable<WebhookSubscriptionsTable> {
  const { filters, mode } = subscription;
  const list = (values: readonly string[] | null) => (values === null ? null : JSON.stringify(values));
  return {
    subscription_id: subscription.subscriptionId,
    workspace_id: subscription.workspaceId,
    url: subscription.url,
    description: subscription.description,
    event_types: JSON.stringify(subscription.eventTypes),
    filter_link_ids: list(filters.linkIds),
    filter_tags: list(filters.tags),
    filter_campaign_id: filters.campaignId,
    filter_traffic_classes: list(filters.trafficClasses),
    mode: mode.kind,
    batch_max_events: mode.kind === 'batch' ? mode.maxEvents : null,
    batch_max_wait_ms: mode.kind === 'batch' ? mode.maxWaitMs : null,
    max_attempts: subscription.maxAttempts,
    rate_limit_per_second: subscription.rateLimitPerSecond,
    status: subscription.status,
    status_reason: subscription.statusReason,
    status_changed_at: subscription.statusChangedAt,
    ...secretColumns(subscription.secrets),
    starts_after_event: subscription.startsAfterEvent,
    last_sequence: 0,
    batched_through: 0,
    consecutive_failures: subscription.failureStreak.consecutiveFailures,
    failing_since: subscription.failureStreak.failingSince,
    created_at: subscription.createdAt,
    updated_at: subscription.updatedAt,
  };
}

export function subscriptionFromRow(row: Selectable<WebhookSubscriptionsTable>): Subscription {
  const list = <T extends string>(json: string | null) => (json === null ? null : (JSON.parse(json) as T[]));
  const mode: DeliveryMode =
    row.mode === 'batch'
      ? { kind: 'batch', maxEvents: Number(row.batch_max_events), maxWaitMs: Number(row.batch_max_wait_ms) }
      : { kind: 'immediate' };
  return {
    subscriptionId: row.subscription_id,
    workspaceId: row.workspace_id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as string[],
    filters: {
      linkIds: list(row.filter_link_ids),
      tags: list(row.filter_tags),
      campaignId: row.filter_campaign_id,
      trafficClasses: list<TrafficClass>(row.filter_traffic_classes),
    },
    mode,
    maxAttempts: Number(row.max_attempts),
    rateLimitPerSecond: row.rate_limit_per_second === null ? null : Number(row.rate_limit_per_second),
    status: row.status as SubscriptionStatus,
    statusReason: row.status_reason,
    statusChangedAt: Number(row.status_changed_at),
    secrets: {
      current: row.secret,
      previous:
        row.previous_secret === null || row.previous_secret_expires_at === null
          ? null
          : { secret: row.previous_secret, expiresAt: Number(row.previous_secret_expires_at) },
    },
    failureStreak: streakOf(row),
    startsAfterEvent: Number(row.starts_after_event),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function streakOf(
  row: Pick<WebhookSubscriptionsTable, 'consecutive_failures' | 'failing_since'>,
): FailureStreak {
  return {
    consecutiveFailures: Number(row.consecutive_failures),
    failingSince: row.failing_since === null ? null : Number(row.failing_since),
  };
}
