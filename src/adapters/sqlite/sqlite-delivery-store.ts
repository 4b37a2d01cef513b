import type { Statement } from 'better-sqlite3';
import type { EventType } from '../../events/event-envelope.js';
import type {
  AttemptRecord,
  BatchedEvent,
  ClaimRequest,
  DueDelivery,
  FanOut,
  FanOutCommit,
  PositionedEvent,
  StreakUpdate,
} from '../../webhooks/delivery-store.js';
import { SqlDeliveryStore, streakEffects } from '../sql/sql-delivery-store.js';
import type { SqlEngine } from '../sql/sql-engine.js';
import type { SqliteDatabase } from './open-sqlite.js';

interface DeliveryRow {
  delivery_id: string;
  subscription_id: string;
  kind: string;
  origin: string;
  webhook_id: string;
  event_id: string | null;
  sequence: number | null;
  payload: string | null;
  attempt_count: number;
}

/**
 * The dispatcher's store on SQLite, with cached prepared statements on the hot paths — fan-out,
 * claiming and the attempt log, a few rows per delivery at thousands of deliveries a second. A
 * query builder would build and prepare every statement again each time, which cost several times
 * more than the writes (measured: ~0.8k deliveries/s through the shared adapter on one core). The
 * rare paths (batches, replays, status changes) stay on the shared Kysely adapter.
 *
 * What must stay true: SQLite has one connection here, shared with the Kysely adapters, whose
 * transactions stay open across `await`s. Every synchronous transaction below runs inside
 * `db.connection()`, which holds Kysely's connection mutex, so it never interleaves with one.
 * Transactions are `BEGIN IMMEDIATE`: they take the write lock first, so the reads inside them
 * (cursor, subscriptions version, due rows) cannot go stale before the writes.
 */
export class SqliteDeliveryStore extends SqlDeliveryStore {
  private readonly s: Record<
    | 'watermarks'
    | 'eventsAfter'
    | 'cursor'
    | 'version'
    | 'bumpSequence'
    | 'lastSequence'
    | 'insertItem'
    | 'insertDelivery'
    | 'upsertCursor'
    | 'subscriptionStatus'
    | 'due'
    | 'lease'
    | 'eventPayload'
    | 'pendingBatchEvents'
    | 'insertAttempt'
    | 'settle'
    | 'settled'
    | 'batchEventsSucceeded'
    | 'batchEventSucceeded'
    | 'batchEventsFailed'
    | 'streakRestart'
    | 'streakExtend'
    | 'statusChangedAt'
    | 'streak',
    Statement
  >;

  constructor(
    private readonly sqlite: SqliteDatabase,
    engine: SqlEngine,
  ) {
    super(engine);
    const prepare = (sql: string) => sqlite.prepare(sql);
    this.s = {
      watermarks: prepare(
        `SELECT (SELECT position FROM consumer_cursors WHERE consumer = ?) AS cursor,
                (SELECT max(seq) FROM events) AS head,
                (SELECT value FROM change_counters WHERE name = 'webhook_subscriptions') AS version`,
      ),
      eventsAfter: prepare(
        `SELECT seq, event_id, workspace_id, event_type, occurred_at, payload
         FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
      ),
      cursor: prepare('SELECT position FROM consumer_cursors WHERE consumer = ?'),
      version: prepare(`SELECT value FROM change_counters WHERE name = 'webhook_subscriptions'`),
      // No RETURNING on the hot paths: in SQLite it gathers the rows in a temporary table and
      // returns them once the statement is done, which costs several times a point read of the row
      // afterwards (measured: a settle UPDATE with RETURNING ~40 µs, without it plus a read ~12 µs).
      bumpSequence: prepare(
        'UPDATE webhook_subscriptions SET last_sequence = last_sequence + ? WHERE subscription_id = ?',
      ),
      lastSequence: prepare(
        'SELECT last_sequence, workspace_id FROM webhook_subscriptions WHERE subscription_id = ?',
      ),
      insertItem: prepare(
        `INSERT INTO webhook_subscription_events (subscription_id, sequence, event_id, created_at)
         VALUES (?, ?, ?, ?)`,
      ),
      insertDelivery: prepare(
        `INSERT INTO webhook_deliveries (delivery_id, workspace_id, subscription_id, kind, origin, webhook_id,
           event_id, sequence, event_count, status, attempt_count, next_attempt_at, lease_until, due_at, created_at)
         VALUES (?, ?, ?, 'event', 'fanout', ?, ?, ?, 1, 'pending', 0, ?, ?, ?, ?)`,
      ),
      upsertCursor: prepare(
        `INSERT INTO consumer_cursors (consumer, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ),
      subscriptionStatus: prepare(
        'SELECT status FROM webhook_subscriptions WHERE subscription_id = ? AND deleted_at IS NULL',
      ),
      due: prepare(
        `SELECT delivery_id, subscription_id, kind, origin, webhook_id, event_id, sequence, payload, attempt_count
         FROM webhook_deliveries
         WHERE subscription_id = ? AND due_at <= ? ORDER BY due_at, delivery_id LIMIT ?`,
      ),
      lease: prepare('UPDATE webhook_deliveries SET lease_until = ?, due_at = ? WHERE delivery_id = ?'),
      eventPayload: prepare('SELECT payload FROM events WHERE event_id = ?'),
      pendingBatchEvents: prepare(
        `SELECT b.sequence, b.event_id, e.payload FROM webhook_batch_events b
         LEFT JOIN events e ON e.event_id = b.event_id
         WHERE b.delivery_id = ? AND b.state = 'pending' ORDER BY b.sequence`,
      ),
      insertAttempt: prepare(
        `INSERT INTO webhook_attempts (delivery_id, attempt_number, subscription_id, trigger, started_at,
           duration_ms, outcome, status_code, error_category, error_detail, request_headers, response_body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // One UPDATE per attempt: the attempt's figures (always) and the new state — a success
      // always, a retry or failure only while the delivery is open (SET reads the row as it was).
      settle: prepare(
        `UPDATE webhook_deliveries SET
           attempt_count = attempt_count + @attempted,
           last_attempt_at = CASE WHEN @attempted = 1 THEN @started_at ELSE last_attempt_at END,
           last_status_code = CASE WHEN @attempted = 1 THEN @status_code ELSE last_status_code END,
           last_error_category = CASE WHEN @attempted = 1 THEN @error_category ELSE last_error_category END,
           last_duration_ms = CASE WHEN @attempted = 1 THEN @duration_ms ELSE last_duration_ms END,
           status = CASE WHEN @status = 'succeeded' OR due_at IS NOT NULL THEN @status ELSE status END,
           failure_reason = CASE WHEN @status = 'succeeded' OR due_at IS NOT NULL THEN @failure_reason ELSE failure_reason END,
           next_attempt_at = CASE WHEN @status = 'succeeded' OR due_at IS NOT NULL THEN @next_attempt_at ELSE next_attempt_at END,
           lease_until = CASE WHEN @status = 'succeeded' OR due_at IS NOT NULL THEN NULL ELSE lease_until END,
           completed_at = CASE WHEN @status = 'succeeded' OR due_at IS NOT NULL THEN @completed_at ELSE completed_at END,
           due_at = CASE WHEN @status = 'succeeded' OR due_at IS NOT NULL THEN @next_attempt_at ELSE due_at END
         WHERE delivery_id = @delivery_id`,
      ),
      settled: prepare('SELECT attempt_count, kind, status FROM webhook_deliveries WHERE delivery_id = ?'),
      batchEventsSucceeded: prepare(
        `UPDATE webhook_batch_events SET state = 'succeeded' WHERE delivery_id = ? AND state = 'pending'`,
      ),
      batchEventSucceeded: prepare(
        `UPDATE webhook_batch_events SET state = 'succeeded'
         WHERE delivery_id = ? AND sequence = ? AND state = 'pending'`,
      ),
      batchEventsFailed: prepare(
        `UPDATE webhook_batch_events SET state = 'failed' WHERE delivery_id = ? AND state = 'pending'`,
      ),
      // A streak already as it should be is not written again: most records are successes of a
      // healthy subscription, and the row would otherwise be rewritten by every commit.
      streakRestart: prepare(
        `UPDATE webhook_subscriptions SET consecutive_failures = @failures, failing_since = @since
         WHERE subscription_id = @id AND (consecutive_failures IS NOT @failures OR failing_since IS NOT @since)`,
      ),
      streakExtend: prepare(
        `UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + ?,
           failing_since = coalesce(failing_since, ?) WHERE subscription_id = ?`,
      ),
      streak: prepare(
        'SELECT consecutive_failures, failing_since FROM webhook_subscriptions WHERE subscription_id = ?',
      ),
      statusChangedAt: prepare(
        'SELECT status_changed_at FROM webhook_subscriptions WHERE subscription_id = ?',
      ),
    };
  }

  override async watermarks(
    consumer: string,
  ): Promise<{ cursor: number; eventHead: number; subscriptionsVersion: number }> {
    return this.exclusive(() => {
      const row = this.s.watermarks.get(consumer) as {
        cursor: number | null;
        head: number | null;
        version: number | null;
      };
      return {
        cursor: Number(row.cursor ?? 0),
        eventHead: Number(row.head ?? 0),
        subscriptionsVersion: Number(row.version ?? 0),
      };
    });
  }

  override async readEventsAfter(position: number, limit: number): Promise<PositionedEvent[]> {
    return this.exclusive(() =>
      (
        this.s.eventsAfter.all(position, limit) as {
          seq: number;
          event_id: string;
          workspace_id: string;
          event_type: string;
          occurred_at: number;
          payload: string;
        }[]
      ).map((row) => ({
        position: Number(row.seq),
        event: {
          eventId: row.event_id,
          workspaceId: row.workspace_id,
          eventType: row.event_type as EventType,
          occurredAt: Number(row.occurred_at),
          payload: row.payload,
        },
      })),
    );
  }

  override async commitFanOut(fanOut: FanOut): Promise<FanOutCommit> {
    const s = this.s;
    const write = this.sqlite.transaction((): FanOutCommit => {
      const cursor = s.cursor.get(fanOut.consumer) as { position: number } | undefined;
      if (Number(cursor?.position ?? 0) !== fanOut.from) return { committed: false };
      const version = s.version.get() as { value: number } | undefined;
      if (Number(version?.value ?? 0) !== fanOut.subscriptionsVersion) return { committed: false };

      const counts = new Map<string, number>();
      for (const target of fanOut.targets)
        counts.set(target.subscriptionId, (counts.get(target.subscriptionId) ?? 0) + 1);
      const next = new Map<string, { sequence: number; workspaceId: string }>();
      for (const [subscriptionId, count] of counts) {
        s.bumpSequence.run(count, subscriptionId);
        const row = s.lastSequence.get(subscriptionId) as {
          last_sequence: number;
          workspace_id: string;
        };
        next.set(subscriptionId, {
          sequence: Number(row.last_sequence) - count + 1,
          workspaceId: row.workspace_id,
        });
      }
      const sequences: number[] = [];
      for (const target of fanOut.targets) {
        const slot = next.get(target.subscriptionId)!;
        const sequence = slot.sequence++;
        sequences.push(sequence);
        s.insertItem.run(target.subscriptionId, sequence, target.eventId, fanOut.now);
        if (target.delivery !== null) {
          s.insertDelivery.run(
            target.delivery.deliveryId,
            slot.workspaceId,
            target.subscriptionId,
            target.eventId,
            target.eventId,
            sequence,
            fanOut.now,
            target.delivery.leaseUntil,
            target.delivery.leaseUntil ?? fanOut.now,
            fanOut.now,
          );
        }
      }
      s.upsertCursor.run(fanOut.consumer, fanOut.to, fanOut.now);
      return { committed: true, sequences };
    });
    return this.exclusive(() => write.immediate());
  }

  override async claimDue(request: ClaimRequest): Promise<DueDelivery[]> {
    const s = this.s;
    const claim = this.sqlite.transaction((): DueDelivery[] => {
      const subscription = s.subscriptionStatus.get(request.subscriptionId) as { status: string } | undefined;
      if (subscription?.status !== 'active') return [];
      const rows = s.due.all(request.subscriptionId, request.now, request.limit) as DeliveryRow[];
      const until = request.now + request.leaseMs;
      return rows.map((row) => {
        s.lease.run(until, until, row.delivery_id);
        return this.dueDelivery(row);
      });
    });
    return this.exclusive(() => claim.immediate());
  }

  override async recordAttempts(records: readonly AttemptRecord[], now: number): Promise<StreakUpdate[]> {
    const s = this.s;
    const write = this.sqlite.transaction((): StreakUpdate[] => {
      for (const record of records) this.applyRecord(record, now);
      const failing: string[] = [];
      // Only a failure is weighed against the subscription's last status change (see `streakEffects`).
      const changedAt = new Map<string, number>();
      for (const { subscriptionId, endpoint } of records) {
        if (endpoint !== 'failing' || changedAt.has(subscriptionId)) continue;
        const row = s.statusChangedAt.get(subscriptionId) as { status_changed_at: number } | undefined;
        if (row) changedAt.set(subscriptionId, Number(row.status_changed_at));
      }
      for (const [subscriptionId, effect] of streakEffects(records, now, changedAt)) {
        if (effect.restart)
          s.streakRestart.run({
            failures: effect.failures,
            since: effect.firstFailureAt,
            id: subscriptionId,
          });
        else s.streakExtend.run(effect.failures, effect.firstFailureAt, subscriptionId);
        if (effect.failures > 0) failing.push(subscriptionId);
      }
      return failing.map((subscriptionId) => {
        const row = s.streak.get(subscriptionId) as {
          consecutive_failures: number;
          failing_since: number | null;
        };
        return {
          subscriptionId,
          streak: {
            consecutiveFailures: Number(row.consecutive_failures),
            failingSince: row.failing_since === null ? null : Number(row.failing_since),
          },
        };
      });
    });
    return this.exclusive(() => write.immediate());
  }

  /** Same rules as the shared adapter's: a success always lands, a retry or failure only on an open delivery. */
  private applyRecord(record: AttemptRecord, now: number): void {
    const s = this.s;
    const { attempt, next } = record;
    const { changes } = s.settle.run({
      attempted: attempt === null ? 0 : 1,
      started_at: attempt?.startedAt ?? null,
      status_code: attempt?.statusCode ?? null,
      error_category: attempt?.errorCategory ?? null,
      duration_ms: attempt?.durationMs ?? null,
      status: next.status,
      failure_reason: next.status === 'failed' ? next.reason : null,
      next_attempt_at: next.status === 'retrying' ? next.nextAttemptAt : null,
      completed_at: next.status === 'retrying' ? null : now,
      delivery_id: record.deliveryId,
    });
    if (changes === 0) return;
    const row = s.settled.get(record.deliveryId) as { attempt_count: number; kind: string; status: string };
    if (attempt !== null) {
      s.insertAttempt.run(
        record.deliveryId,
        Number(row.attempt_count),
        record.subscriptionId,
        attempt.trigger,
        attempt.startedAt,
        attempt.durationMs,
        attempt.outcome,
        attempt.statusCode,
        attempt.errorCategory,
        attempt.errorDetail,
        JSON.stringify(attempt.requestHeaders),
        attempt.responseBody,
      );
    }
    if (row.kind !== 'batch' || row.status !== next.status) return;
    if (next.status === 'succeeded') s.batchEventsSucceeded.run(record.deliveryId);
    else
      for (const sequence of record.acceptedSequences ?? [])
        s.batchEventSucceeded.run(record.deliveryId, sequence);
    if (next.status === 'failed') s.batchEventsFailed.run(record.deliveryId);
  }

  private dueDelivery(row: DeliveryRow): DueDelivery {
    const base = {
      deliveryId: row.delivery_id,
      subscriptionId: row.subscription_id,
      webhookId: row.webhook_id,
      origin: row.origin as DueDelivery['origin'],
      attemptCount: Number(row.attempt_count),
    };
    if (row.kind === 'batch') {
      const events = (
        this.s.pendingBatchEvents.all(row.delivery_id) as {
          sequence: number;
          event_id: string;
          payload: string | null;
        }[]
      ).map((e): BatchedEvent => ({ sequence: Number(e.sequence), eventId: e.event_id, payload: e.payload }));
      return { ...base, body: { kind: 'batch', events } };
    }
    if (row.kind === 'test') return { ...base, body: { kind: 'test', payload: row.payload ?? '' } };
    const event = this.s.eventPayload.get(row.event_id) as { payload: string } | undefined;
    return {
      ...base,
      body: { kind: 'event', sequence: Number(row.sequence), payload: event?.payload ?? null },
    };
  }

  /** Runs synchronous work while holding Kysely's single-connection mutex. */
  private exclusive<T>(work: () => T): Promise<T> {
    return this.engine.db.connection().execute(async () => work());
  }
}
