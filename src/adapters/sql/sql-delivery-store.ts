import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { EventType } from '../../events/event-envelope.js';
import { chunkBatch } from '../../webhooks/batch-chunks.js';
import { type DeliveryStatus, isOpen } from '../../webhooks/delivery.js';
import type {
  AttemptRecord,
  BatchedEvent,
  BatchQueue,
  BatchRequest,
  ClaimRequest,
  DeliveryStore,
  DueDelivery,
  FanOut,
  FanOutCommit,
  FormedBatch,
  PositionedEvent,
  Replay,
  ReplayRequest,
  StreakUpdate,
  TestDelivery,
} from '../../webhooks/delivery-store.js';
import type { StoreSchema, WebhookDeliveriesTable } from './schema.js';
import type { SqlEngine } from './sql-engine.js';
import { readSubscriptionsVersion } from './sql-subscription-store.js';

type Db = Kysely<StoreSchema> | Transaction<StoreSchema>;

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 200;

/**
 * The dispatcher's store on any SQL engine, with Kysely. Claiming takes the subscription's due
 * rows and leases them in one transaction; under SQLite's single writer nobody can claim in
 * between. Where the engine has `FOR UPDATE SKIP LOCKED` (`SqlEngine.supportsSkipLocked`,
 * PostgreSQL) the claim's select takes it, so several dispatchers share the work: each locks the
 * rows it leases and passes over rows another is leasing at that moment. A fan-out moves the
 * shared cursor only from where it read it (a conditional upsert), so of two dispatchers fanning
 * out the same events one commits and the other rolls back.
 *
 * On SQLite, production uses `SqliteDeliveryStore`, which runs fan-out, claims and the attempt
 * log as `BEGIN IMMEDIATE` transactions; the methods it keeps from here (batches, replays) write
 * before they read, because a deferred SQLite transaction that reads first fails with
 * SQLITE_BUSY when another connection commits before its first write.
 */
export class SqlDeliveryStore implements DeliveryStore {
  readonly supportsConcurrentDispatchers: boolean;

  constructor(protected readonly engine: SqlEngine) {
    this.supportsConcurrentDispatchers = engine.supportsSkipLocked;
  }

  async watermarks(
    consumer: string,
  ): Promise<{ cursor: number; eventHead: number; subscriptionsVersion: number }> {
    const row = await this.engine.db
      .selectNoFrom((eb) => [
        eb.selectFrom('consumer_cursors').select('position').where('consumer', '=', consumer).as('cursor'),
        eb
          .selectFrom('events')
          .select((e) => e.fn.max('seq').as('head'))
          .as('head'),
        eb
          .selectFrom('change_counters')
          .select('value')
          .where('name', '=', 'webhook_subscriptions')
          .as('version'),
      ])
      .executeTakeFirstOrThrow();
    return {
      cursor: Number(row.cursor ?? 0),
      eventHead: Number(row.head ?? 0),
      subscriptionsVersion: Number(row.version ?? 0),
    };
  }

  async readEventsAfter(position: number, limit: number): Promise<PositionedEvent[]> {
    const rows = await this.engine.db
      .selectFrom('events')
      .selectAll()
      .where('seq', '>', position)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      position: Number(row.seq),
      event: {
        eventId: row.event_id,
        workspaceId: row.workspace_id,
        eventType: row.event_type as EventType,
        occurredAt: Number(row.occurred_at),
        payload: row.payload,
      },
    }));
  }

  async commitFanOut(fanOut: FanOut): Promise<FanOutCommit> {
    const commit = this.engine.db.transaction().execute(async (trx): Promise<FanOutCommit> => {
      const cursor = await trx
        .selectFrom('consumer_cursors')
        .select('position')
        .where('consumer', '=', fanOut.consumer)
        .executeTakeFirst();
      if (Number(cursor?.position ?? 0) !== fanOut.from) return { committed: false };
      if ((await readSubscriptionsVersion(trx)) !== fanOut.subscriptionsVersion) return { committed: false };

      const perSubscription = new Map<string, number[]>();
      fanOut.targets.forEach((target, i) => {
        const list = perSubscription.get(target.subscriptionId);
        if (list) list.push(i);
        else perSubscription.set(target.subscriptionId, [i]);
      });
      const sequences = new Array<number>(fanOut.targets.length);
      const workspaceOf = new Map<string, string>();
      for (const [subscriptionId, indexes] of perSubscription) {
        await trx
          .updateTable('webhook_subscriptions')
          .set((eb) => ({ last_sequence: eb('last_sequence', '+', indexes.length) }))
          .where('subscription_id', '=', subscriptionId)
          .execute();
        const row = await trx
          .selectFrom('webhook_subscriptions')
          .select(['last_sequence', 'workspace_id'])
          .where('subscription_id', '=', subscriptionId)
          .executeTakeFirstOrThrow();
        const first = Number(row.last_sequence) - indexes.length + 1;
        indexes.forEach((targetIndex, n) => {
          sequences[targetIndex] = first + n;
        });
        workspaceOf.set(subscriptionId, row.workspace_id);
      }

      const items = fanOut.targets.map((target, i) => ({
        subscription_id: target.subscriptionId,
        sequence: sequences[i]!,
        event_id: target.eventId,
        created_at: fanOut.now,
      }));
      for (let i = 0; i < items.length; i += CHUNK) {
        await trx
          .insertInto('webhook_subscription_events')
          .values(items.slice(i, i + CHUNK))
          .execute();
      }
      const deliveries: Insertable<WebhookDeliveriesTable>[] = [];
      fanOut.targets.forEach((target, i) => {
        if (target.delivery === null) return;
        deliveries.push(
          eventDeliveryRow({
            deliveryId: target.delivery.deliveryId,
            workspaceId: workspaceOf.get(target.subscriptionId)!,
            subscriptionId: target.subscriptionId,
            eventId: target.eventId,
            sequence: sequences[i]!,
            origin: 'fanout',
            replayId: null,
            now: fanOut.now,
            leaseUntil: target.delivery.leaseUntil,
          }),
        );
      });
      for (let i = 0; i < deliveries.length; i += CHUNK) {
        await trx
          .insertInto('webhook_deliveries')
          .values(deliveries.slice(i, i + CHUNK))
          .execute();
      }
      // Only from the position read above: with concurrent writers another dispatcher may have
      // moved it since (the upsert re-checks the newest row version), and then all of this is undone.
      const moved = await trx
        .insertInto('consumer_cursors')
        .values({ consumer: fanOut.consumer, position: fanOut.to, updated_at: fanOut.now })
        .onConflict((oc) =>
          oc
            .column('consumer')
            .doUpdateSet((eb) => ({
              position: eb.ref('excluded.position'),
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .where('consumer_cursors.position', '=', fanOut.from),
        )
        .executeTakeFirst();
      if (Number(moved.numInsertedOrUpdatedRows ?? 0) !== 1) throw new CursorMoved();
      return { committed: true, sequences };
    });
    return commit.catch((error: unknown): FanOutCommit => {
      if (error instanceof CursorMoved) return { committed: false };
      throw error;
    });
  }

  async batchQueues(): Promise<Map<string, BatchQueue>> {
    const rows = await this.engine.db
      .selectFrom('webhook_subscriptions as s')
      .innerJoin('webhook_subscription_events as e', (join) =>
        join
          .onRef('e.subscription_id', '=', 's.subscription_id')
          .on('e.sequence', '=', sql<number>`s.batched_through + 1`),
      )
      .select(['s.subscription_id', 's.last_sequence', 's.batched_through', 'e.created_at'])
      .where('s.mode', '=', 'batch')
      .where('s.deleted_at', 'is', null)
      .whereRef('s.last_sequence', '>', 's.batched_through')
      .execute();
    return new Map(
      rows.map((row) => [
        row.subscription_id,
        { count: Number(row.last_sequence) - Number(row.batched_through), oldestAt: Number(row.created_at) },
      ]),
    );
  }

  async formBatch(request: BatchRequest): Promise<FormedBatch> {
    return this.engine.db.transaction().execute(async (trx) => {
      // Write first (a no-op on the row it will change): SQLite then holds its write lock before
      // reading, instead of failing with SQLITE_BUSY if another connection commits in between.
      await trx
        .updateTable('webhook_subscriptions')
        .set((eb) => ({ batched_through: eb.ref('batched_through') }))
        .where('subscription_id', '=', request.subscriptionId)
        .execute();
      const sub = await trx
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('subscription_id', '=', request.subscriptionId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (sub?.mode !== 'batch') return { batch: null, queue: { count: 0, oldestAt: null } };
      const waiting = await trx
        .selectFrom('webhook_subscription_events as i')
        .leftJoin('events as e', 'e.event_id', 'i.event_id')
        .select(['i.sequence', 'i.event_id', 'i.created_at', 'e.payload'])
        .where('i.subscription_id', '=', request.subscriptionId)
        .where('i.sequence', '>', sub.batched_through)
        .orderBy('i.sequence')
        .limit(request.maxEvents + 1)
        .execute();
      const queued = Number(sub.last_sequence) - Number(sub.batched_through);
      const queue = (taken: number) => ({
        count: queued - taken,
        oldestAt: waiting[taken] ? Number(waiting[taken].created_at) : null,
      });
      if (waiting.length === 0) return { batch: null, queue: queue(0) };
      const candidates = waiting.slice(0, request.maxEvents).map((row) => ({
        sequence: Number(row.sequence),
        eventId: row.event_id,
        payload: row.payload,
      }));
      const [first] = chunkBatch(candidates, request.maxEvents, request.maxBytes);
      const taken = first!;
      const ready =
        queued >= request.maxEvents ||
        taken.length < candidates.length ||
        request.now - Number(waiting[0]!.created_at) >= request.maxWaitMs;
      if (!ready) return { batch: null, queue: queue(0) };

      await insertBatch(trx, {
        deliveryId: request.deliveryId,
        workspaceId: sub.workspace_id,
        subscriptionId: sub.subscription_id,
        events: taken,
        origin: 'fanout',
        replayId: null,
        now: request.now,
        leaseUntil: request.leaseUntil,
      });
      await trx
        .updateTable('webhook_subscriptions')
        .set({ batched_through: taken.at(-1)!.sequence })
        .where('subscription_id', '=', sub.subscription_id)
        .execute();
      return {
        batch: {
          deliveryId: request.deliveryId,
          subscriptionId: sub.subscription_id,
          webhookId: request.deliveryId,
          origin: 'fanout',
          attemptCount: 0,
          body: { kind: 'batch', events: taken },
        },
        queue: queue(taken.length),
      };
    });
  }

  async claimDue(request: ClaimRequest): Promise<DueDelivery[]> {
    return this.engine.db.transaction().execute(async (trx) => {
      const sub = await trx
        .selectFrom('webhook_subscriptions')
        .select('status')
        .where('subscription_id', '=', request.subscriptionId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (sub?.status !== 'active') return [];
      const rows = await trx
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('subscription_id', '=', request.subscriptionId)
        .where('due_at', '<=', request.now)
        .orderBy('due_at')
        .orderBy('delivery_id')
        .limit(request.limit)
        .$if(this.engine.supportsSkipLocked, (q) => q.forUpdate().skipLocked())
        .execute();
      if (rows.length === 0) return [];
      await trx
        .updateTable('webhook_deliveries')
        .set({ lease_until: request.now + request.leaseMs, due_at: request.now + request.leaseMs })
        .where(
          'delivery_id',
          'in',
          rows.map((row) => row.delivery_id),
        )
        .execute();
      return loadBodies(trx, rows);
    });
  }

  async releaseLeases(deliveryIds: readonly string[] | null): Promise<void> {
    if (deliveryIds === null) {
      await this.engine.db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ lease_until: null, due_at: eb.ref('next_attempt_at') }))
        .where('lease_until', 'is not', null)
        .execute();
      return;
    }
    for (let i = 0; i < deliveryIds.length; i += CHUNK) {
      await this.engine.db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ lease_until: null, due_at: eb.ref('next_attempt_at') }))
        .where('delivery_id', 'in', deliveryIds.slice(i, i + CHUNK))
        .where('lease_until', 'is not', null)
        .execute();
    }
  }

  async recordAttempts(records: readonly AttemptRecord[], now: number): Promise<StreakUpdate[]> {
    return this.engine.db.transaction().execute(async (trx) => {
      for (const record of records) await applyRecord(trx, record, now);
      const failing: string[] = [];
      const changedAt = await lockStatusChanges(trx, records, this.engine.supportsSkipLocked);
      // In id order: dispatchers recording at once lock the subscription rows in the same order.
      const effects = [...streakEffects(records, now, changedAt)].sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      for (const [subscriptionId, effect] of effects) {
        await trx
          .updateTable('webhook_subscriptions')
          .set((eb) =>
            effect.restart
              ? { consecutive_failures: effect.failures, failing_since: effect.firstFailureAt }
              : {
                  consecutive_failures: eb('consecutive_failures', '+', effect.failures),
                  failing_since: eb.fn.coalesce('failing_since', eb.val(effect.firstFailureAt)),
                },
          )
          .where('subscription_id', '=', subscriptionId)
          .execute();
        if (effect.failures > 0) failing.push(subscriptionId);
      }
      return streaksOf(trx, failing);
    });
  }

  async insertTestDelivery(delivery: TestDelivery): Promise<void> {
    await this.engine.db
      .insertInto('webhook_deliveries')
      .values({
        delivery_id: delivery.deliveryId,
        workspace_id: delivery.workspaceId,
        subscription_id: delivery.subscriptionId,
        kind: 'test',
        origin: 'test',
        replay_id: null,
        webhook_id: delivery.eventId,
        event_id: delivery.eventId,
        sequence: null,
        payload: delivery.payload,
        event_count: 1,
        status: 'pending',
        attempt_count: 0,
        next_attempt_at: delivery.now,
        // Leased to the caller, who sends it at once; a dispatcher takes it only if the caller died.
        lease_until: delivery.now + TEST_LEASE_MS,
        due_at: delivery.now + TEST_LEASE_MS,
        created_at: delivery.now,
      })
      .execute();
  }

  async createReplay(request: ReplayRequest): Promise<Replay> {
    return this.engine.db.transaction().execute(async (trx) => {
      // The audit row first: writing before reading holds SQLite's write lock for the whole
      // transaction (see formBatch); its counts are filled in at the end.
      await trx
        .insertInto('webhook_replays')
        .values({
          replay_id: request.replayId,
          workspace_id: request.workspaceId,
          subscription_id: request.subscriptionId,
          selection: JSON.stringify(request.selection),
          requested_by: request.requestedBy,
          requested_at: request.now,
          event_count: 0,
          delivery_count: 0,
        })
        .execute();
      const items = await replayItems(trx, request);
      let deliveryCount = 0;
      if (request.batching === null) {
        const rows = items.map((item) => {
          deliveryCount++;
          return eventDeliveryRow({
            deliveryId: request.newDeliveryId(),
            workspaceId: request.workspaceId,
            subscriptionId: request.subscriptionId,
            eventId: item.eventId,
            sequence: item.sequence,
            origin: 'replay',
            replayId: request.replayId,
            now: request.now,
            leaseUntil: null,
          });
        });
        for (let i = 0; i < rows.length; i += CHUNK) {
          await trx
            .insertInto('webhook_deliveries')
            .values(rows.slice(i, i + CHUNK))
            .execute();
        }
      } else {
        for (const events of chunkBatch(items, request.batching.maxEvents, request.batching.maxBytes)) {
          deliveryCount++;
          await insertBatch(trx, {
            deliveryId: request.newDeliveryId(),
            workspaceId: request.workspaceId,
            subscriptionId: request.subscriptionId,
            events,
            origin: 'replay',
            replayId: request.replayId,
            now: request.now,
            leaseUntil: null,
          });
        }
      }
      const replay: Replay = {
        replayId: request.replayId,
        workspaceId: request.workspaceId,
        subscriptionId: request.subscriptionId,
        selection: request.selection,
        requestedBy: request.requestedBy,
        requestedAt: request.now,
        eventCount: items.length,
        deliveryCount,
      };
      await trx
        .updateTable('webhook_replays')
        .set({ event_count: replay.eventCount, delivery_count: replay.deliveryCount })
        .where('replay_id', '=', replay.replayId)
        .execute();
      return replay;
    });
  }
}

/** Rolls a fan-out back when the cursor moved under it. */
class CursorMoved extends Error {}

/** How long a test delivery stays leased to the API process that sends it. */
const TEST_LEASE_MS = 120_000;

interface EventDeliveryFields {
  readonly deliveryId: string;
  readonly workspaceId: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly sequence: number;
  readonly origin: 'fanout' | 'replay';
  readonly replayId: string | null;
  readonly now: number;
  readonly leaseUntil: number | null;
}

export function eventDeliveryRow(fields: EventDeliveryFields): Insertable<WebhookDeliveriesTable> {
  return {
    delivery_id: fields.deliveryId,
    workspace_id: fields.workspaceId,
    subscription_id: fields.subscriptionId,
    kind: 'event',
    origin: fields.origin,
    replay_id: fields.replayId,
    webhook_id: fields.eventId,
    event_id: fields.eventId,
    sequence: fields.sequence,
    payload: null,
    event_count: 1,
    status: 'pending',
    attempt_count: 0,
    next_attempt_at: fields.now,
    lease_until: fields.leaseUntil,
    due_at: fields.leaseUntil ?? fields.now,
    created_at: fields.now,
  };
}

async function insertBatch(
  trx: Db,
  batch: {
    deliveryId: string;
    workspaceId: string;
    subscriptionId: string;
    events: readonly { sequence: number; eventId: string }[];
    origin: 'fanout' | 'replay';
    replayId: string | null;
    now: number;
    leaseUntil: number | null;
  },
): Promise<void> {
  await trx
    .insertInto('webhook_deliveries')
    .values({
      delivery_id: batch.deliveryId,
      workspace_id: batch.workspaceId,
      subscription_id: batch.subscriptionId,
      kind: 'batch',
      origin: batch.origin,
      replay_id: batch.replayId,
      // The batch id is the delivery id: the same on every retry of this batch.
      webhook_id: batch.deliveryId,
      event_id: null,
      sequence: null,
      payload: null,
      event_count: batch.events.length,
      status: 'pending',
      attempt_count: 0,
      next_attempt_at: batch.now,
      lease_until: batch.leaseUntil,
      due_at: batch.leaseUntil ?? batch.now,
      created_at: batch.now,
    })
    .execute();
  for (let i = 0; i < batch.events.length; i += CHUNK) {
    await trx
      .insertInto('webhook_batch_events')
      .values(
        batch.events.slice(i, i + CHUNK).map((event) => ({
          delivery_id: batch.deliveryId,
          sequence: event.sequence,
          event_id: event.eventId,
          state: 'pending',
        })),
      )
      .execute();
  }
}

/** The request bodies of claimed deliveries: event payloads, a batch's pending events, a test's stored body. */
async function loadBodies(trx: Db, rows: Selectable<WebhookDeliveriesTable>[]): Promise<DueDelivery[]> {
  const eventIds = rows.flatMap((row) => (row.kind === 'event' && row.event_id ? [row.event_id] : []));
  const payloads = new Map<string, string>();
  for (let i = 0; i < eventIds.length; i += CHUNK) {
    const found = await trx
      .selectFrom('events')
      .select(['event_id', 'payload'])
      .where('event_id', 'in', eventIds.slice(i, i + CHUNK))
      .execute();
    for (const row of found) payloads.set(row.event_id, row.payload);
  }
  const batchIds = rows.filter((row) => row.kind === 'batch').map((row) => row.delivery_id);
  const batches = new Map<string, BatchedEvent[]>();
  if (batchIds.length > 0) {
    const found = await trx
      .selectFrom('webhook_batch_events as b')
      .leftJoin('events as e', 'e.event_id', 'b.event_id')
      .select(['b.delivery_id', 'b.sequence', 'b.event_id', 'e.payload'])
      .where('b.delivery_id', 'in', batchIds)
      .where('b.state', '=', 'pending')
      .orderBy('b.delivery_id')
      .orderBy('b.sequence')
      .execute();
    for (const row of found) {
      const list = batches.get(row.delivery_id) ?? [];
      list.push({ sequence: Number(row.sequence), eventId: row.event_id, payload: row.payload });
      batches.set(row.delivery_id, list);
    }
  }
  return rows.map((row) => ({
    deliveryId: row.delivery_id,
    subscriptionId: row.subscription_id,
    webhookId: row.webhook_id,
    origin: row.origin as DueDelivery['origin'],
    attemptCount: Number(row.attempt_count),
    body:
      row.kind === 'batch'
        ? { kind: 'batch', events: batches.get(row.delivery_id) ?? [] }
        : row.kind === 'test'
          ? { kind: 'test', payload: row.payload ?? '' }
          : {
              kind: 'event',
              sequence: Number(row.sequence),
              payload: payloads.get(row.event_id ?? '') ?? null,
            },
  }));
}

async function applyRecord(trx: Db, record: AttemptRecord, now: number): Promise<void> {
  const { attempt, next } = record;
  const current = await trx
    .selectFrom('webhook_deliveries')
    .select(['status', 'attempt_count', 'kind'])
    .where('delivery_id', '=', record.deliveryId)
    .executeTakeFirst();
  if (!current) return;
  const open = isOpen(current.status as DeliveryStatus);
  if (attempt !== null) {
    const attemptNumber = Number(current.attempt_count) + 1;
    await trx
      .insertInto('webhook_attempts')
      .values({
        delivery_id: record.deliveryId,
        attempt_number: attemptNumber,
        subscription_id: record.subscriptionId,
        trigger: attempt.trigger,
        started_at: attempt.startedAt,
        duration_ms: attempt.durationMs,
        outcome: attempt.outcome,
        status_code: attempt.statusCode,
        error_category: attempt.errorCategory,
        error_detail: attempt.errorDetail,
        request_headers: JSON.stringify(attempt.requestHeaders),
        response_body: attempt.responseBody,
      })
      .execute();
    await trx
      .updateTable('webhook_deliveries')
      .set({
        attempt_count: attemptNumber,
        last_attempt_at: attempt.startedAt,
        last_status_code: attempt.statusCode,
        last_error_category: attempt.errorCategory,
        last_duration_ms: attempt.durationMs,
      })
      .where('delivery_id', '=', record.deliveryId)
      .execute();
  }
  // A success always lands (the subscriber has the events, whatever happened meanwhile); a retry or
  // a failure only on a delivery still open — it may have been settled while this attempt ran.
  if (next.status !== 'succeeded' && !open) return;
  await trx
    .updateTable('webhook_deliveries')
    .set(
      next.status === 'retrying'
        ? {
            status: 'retrying',
            next_attempt_at: next.nextAttemptAt,
            lease_until: null,
            due_at: next.nextAttemptAt,
          }
        : {
            status: next.status,
            failure_reason: next.status === 'failed' ? next.reason : null,
            next_attempt_at: null,
            lease_until: null,
            due_at: null,
            completed_at: now,
          },
    )
    .where('delivery_id', '=', record.deliveryId)
    .execute();
  if (current.kind !== 'batch') return;
  const accepted = next.status === 'succeeded' ? null : (record.acceptedSequences ?? []);
  if (accepted === null || accepted.length > 0) {
    let update = trx
      .updateTable('webhook_batch_events')
      .set({ state: 'succeeded' })
      .where('delivery_id', '=', record.deliveryId)
      .where('state', '=', 'pending');
    if (accepted !== null) update = update.where('sequence', 'in', accepted);
    await update.execute();
  }
  if (next.status === 'failed') {
    await trx
      .updateTable('webhook_batch_events')
      .set({ state: 'failed' })
      .where('delivery_id', '=', record.deliveryId)
      .where('state', '=', 'pending')
      .execute();
  }
}

/**
 * When each recorded subscription last changed status, its row locked (PostgreSQL) so a resume
 * cannot commit between this read and the streak update. Rows are taken in id order, as every
 * writer of several subscription rows does.
 */
async function lockStatusChanges(
  trx: Db,
  records: readonly AttemptRecord[],
  rowLocks: boolean,
): Promise<Map<string, number>> {
  const ids = [...new Set(records.map((record) => record.subscriptionId))].sort();
  const rows = await trx
    .selectFrom('webhook_subscriptions')
    .select(['subscription_id', 'status_changed_at'])
    .where('subscription_id', 'in', ids)
    .orderBy('subscription_id')
    .$if(rowLocks, (q) => q.forUpdate())
    .execute();
  return new Map(rows.map((row) => [row.subscription_id, Number(row.status_changed_at)]));
}

async function streaksOf(trx: Db, subscriptionIds: readonly string[]): Promise<StreakUpdate[]> {
  if (subscriptionIds.length === 0) return [];
  const rows = await trx
    .selectFrom('webhook_subscriptions')
    .select(['subscription_id', 'consecutive_failures', 'failing_since'])
    .where('subscription_id', 'in', subscriptionIds)
    .execute();
  return rows.map((row) => ({
    subscriptionId: row.subscription_id,
    streak: {
      consecutiveFailures: Number(row.consecutive_failures),
      failingSince: row.failing_since === null ? null : Number(row.failing_since),
    },
  }));
}

/** The stream items a replay re-sends, oldest first, at most `maxEvents`, with their payload sizes. */
async function replayItems(
  trx: Db,
  request: ReplayRequest,
): Promise<{ sequence: number; eventId: string; payload: string | null }[]> {
  const { selection, subscriptionId } = request;
  let query = trx
    .selectFrom('webhook_subscription_events as i')
    .innerJoin('events as e', 'e.event_id', 'i.event_id')
    .select(['i.sequence', 'i.event_id', 'e.payload'])
    .where('i.subscription_id', '=', subscriptionId);
  if (selection.by === 'event_ids') {
    if (selection.eventIds.length === 0) return [];
    query = query.where('i.event_id', 'in', [...selection.eventIds]);
  } else {
    if (selection.occurredAfter !== null) query = query.where('e.occurred_at', '>=', selection.occurredAfter);
    if (selection.occurredBefore !== null)
      query = query.where('e.occurred_at', '<=', selection.occurredBefore);
    if (selection.onlyFailed) {
      const failed = await lastFailedEventIds(trx, subscriptionId);
      if (failed.length === 0) return [];
      query = query.where('i.event_id', 'in', failed);
    }
  }
  const rows = await query.orderBy('i.sequence').limit(request.maxEvents).execute();
  // An event listed twice in the stream (never happens today) is sent once.
  const seen = new Set<string>();
  return rows
    .filter((row) => !seen.has(row.event_id) && seen.add(row.event_id))
    .map((row) => ({ sequence: Number(row.sequence), eventId: row.event_id, payload: row.payload }));
}

/**
 * Events of the subscription whose latest delivery ended `failed` with nothing under way since:
 * found from the failed deliveries (an index range), then checked against every later delivery
 * of the same event.
 */
async function lastFailedEventIds(trx: Db, subscriptionId: string): Promise<string[]> {
  const failedSingles = await trx
    .selectFrom('webhook_deliveries')
    .select('event_id')
    .where('subscription_id', '=', subscriptionId)
    .where('status', '=', 'failed')
    .where('kind', '=', 'event')
    .execute();
  const failedInBatches = await trx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_batch_events as b', 'b.delivery_id', 'd.delivery_id')
    .select('b.event_id')
    .where('d.subscription_id', '=', subscriptionId)
    .where('d.status', '=', 'failed')
    .where('b.state', '=', 'failed')
    .execute();
  const candidates = [
    ...new Set([
      ...failedSingles.flatMap((row) => (row.event_id ? [row.event_id] : [])),
      ...failedInBatches.map((row) => row.event_id),
    ]),
  ];
  const stillFailed: string[] = [];
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const part = candidates.slice(i, i + CHUNK);
    const singles = await trx
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'delivery_id', 'status'])
      .where('event_id', 'in', part)
      .where('subscription_id', '=', subscriptionId)
      .where('kind', '=', 'event')
      .execute();
    const inBatches = await trx
      .selectFrom('webhook_batch_events as b')
      .innerJoin('webhook_deliveries as d', 'd.delivery_id', 'b.delivery_id')
      .select(['b.event_id', 'b.delivery_id', 'b.state'])
      .where('b.event_id', 'in', part)
      .where('d.subscription_id', '=', subscriptionId)
      .execute();
    const latest = new Map<string, { deliveryId: string; state: string }>();
    const consider = (eventId: string, deliveryId: string, state: string) => {
      const known = latest.get(eventId);
      if (!known || deliveryId > known.deliveryId) latest.set(eventId, { deliveryId, state });
    };
    for (const row of singles) consider(row.event_id ?? '', row.delivery_id, row.status);
    for (const row of inBatches) consider(row.event_id, row.delivery_id, row.state);
    for (const [eventId, { state }] of latest) if (state === 'failed') stillFailed.push(eventId);
  }
  return stillFailed;
}

/** What one batch of attempt records does to a subscription's failure streak. */
export interface StreakEffect {
  /** A 2xx in the batch ended the old streak: it is now `failures` long (maybe 0), from `firstFailureAt`. */
  readonly restart: boolean;
  /** Failed attempts after the last 2xx (or all of them, without one). */
  readonly failures: number;
  /** When the first of those failures started; `null` without failures. */
  readonly firstFailureAt: number | null;
}

/**
 * Folds the records, in order, into one streak change per subscription, so a batch of records
 * costs one update per subscription rather than one per attempt.
 *
 * A failure that started before the subscription's last status change (`statusChangedAt`) does
 * not count: an attempt sent before a resume and answered after it belongs to the outage the
 * resume ended, and counting it (with its old start time) would pause the subscription again at
 * once.
 */
export function streakEffects(
  records: readonly AttemptRecord[],
  now: number,
  statusChangedAt: ReadonlyMap<string, number> = new Map(),
): Map<string, StreakEffect> {
  const effects = new Map<string, StreakEffect>();
  for (const record of records) {
    if (record.endpoint === 'none') continue;
    const startedAt = record.attempt?.startedAt ?? now;
    if (record.endpoint === 'failing' && startedAt < (statusChangedAt.get(record.subscriptionId) ?? 0))
      continue;
    const current = effects.get(record.subscriptionId) ?? {
      restart: false,
      failures: 0,
      firstFailureAt: null,
    };
    effects.set(
      record.subscriptionId,
      record.endpoint === 'ok'
        ? { restart: true, failures: 0, firstFailureAt: null }
        : {
            restart: current.restart,
            failures: current.failures + 1,
            firstFailureAt: current.firstFailureAt ?? startedAt,
          },
    );
  }
  return effects;
}
