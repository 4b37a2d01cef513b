import { type Kysely, sql } from 'kysely';
import { isPostgres, lockSeqOrderOnInsert } from './postgres-seq-order.js';

/**
 * Webhooks: subscriptions, their numbered event streams, deliveries (one event or a batch), the
 * events inside batches, one row per attempt, and the replay audit trail.
 *
 * It also gives `events` a `seq` column in commit order: the dispatcher's cursor. Event ids are
 * time-sortable but minted before their transaction commits, so with several writers (API,
 * processor thread) a later-committed event can carry a smaller id — a cursor on ids would skip
 * it. SQLite has one writer at a time and assigns `seq` inside it, so `seq` order is commit order;
 * PostgreSQL gets the same from a lock every insert takes (`lockSeqOrderOnInsert`).
 * A column cannot gain AUTOINCREMENT in place, so the table is rebuilt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema
    .createTable('events_by_seq')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO events_by_seq (event_id, workspace_id, event_type, occurred_at, payload)
    SELECT event_id, workspace_id, event_type, occurred_at, payload FROM events ORDER BY event_id`.execute(
    db,
  );
  await db.schema.dropTable('events').execute();
  await db.schema.alterTable('events_by_seq').renameTo('events').execute();
  // PostgreSQL has concurrent writers: `seq` follows commit order only under the lock (see there).
  if (postgres) await lockSeqOrderOnInsert(db, 'events');
  await db.schema
    .createIndex('events_by_workspace')
    .on('events')
    .columns(['workspace_id', 'event_id'])
    .execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.workspace_id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('filter_link_ids', 'text')
    .addColumn('filter_tags', 'text')
    .addColumn('filter_campaign_id', 'text')
    .addColumn('filter_traffic_classes', 'text')
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('batch_max_events', 'integer')
    .addColumn('batch_max_wait_ms', 'integer')
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('rate_limit_per_second', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'bigint')
    .addColumn('starts_after_event', 'bigint', (c) => c.notNull())
    .addColumn('last_sequence', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('batched_through', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failing_since', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_by_workspace')
    .on('webhook_subscriptions')
    .columns(['workspace_id', 'subscription_id'])
    .execute();

  // A subscription's stream: every event fanned out to it, numbered without gaps.
  await db.schema
    .createTable('webhook_subscription_events')
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_subscription_events_pk', ['subscription_id', 'sequence'])
    .execute();
  await db.schema
    .createIndex('webhook_subscription_events_by_event')
    .on('webhook_subscription_events')
    .columns(['event_id', 'subscription_id'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('delivery_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('replay_id', 'text')
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('sequence', 'bigint')
    .addColumn('payload', 'text')
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('lease_until', 'bigint')
    .addColumn('due_at', 'bigint')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error_category', 'text')
    .addColumn('last_duration_ms', 'real')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .execute();
  // Claiming: a subscription's due deliveries in due order. `due_at` is the next attempt time, or
  // the lease's end while leased, so a claim reads exactly the rows it takes (leased rows are not
  // in range to be skipped over). Settled deliveries have none and are not in the index.
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'due_at', 'delivery_id'])
    .where(sql.ref('due_at'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_by_workspace')
    .on('webhook_deliveries')
    .columns(['workspace_id', 'delivery_id'])
    .execute();
  // Keys that never change once a delivery exists, so settling a delivery touches no index but
  // the claim index; failed deliveries (the dead letters people look for) have an index of their own.
  await db.schema
    .createIndex('webhook_deliveries_by_subscription')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'delivery_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_failed')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'delivery_id'])
    .where(sql.ref('status'), '=', 'failed')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_by_event')
    .on('webhook_deliveries')
    .columns(['event_id'])
    .where(sql.ref('event_id'), 'is not', null)
    .execute();

  await db.schema
    .createTable('webhook_batch_events')
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_batch_events_pk', ['delivery_id', 'sequence'])
    .execute();
  await db.schema
    .createIndex('webhook_batch_events_by_event')
    .on('webhook_batch_events')
    .columns(['event_id'])
    .execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('attempt_number', 'integer', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'real', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error_category', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('request_headers', 'text', (c) => c.notNull())
    .addColumn('response_body', 'text')
    .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt_number'])
    .execute();
  await db.schema
    .createIndex('webhook_attempts_by_subscription')
    .on('webhook_attempts')
    .columns(['subscription_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('webhook_replays')
    .addColumn('replay_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('selection', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('delivery_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_replays_by_subscription')
    .on('webhook_replays')
    .columns(['subscription_id', 'replay_id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('0003-webhooks cannot be reverted; restore a backup instead');
}
