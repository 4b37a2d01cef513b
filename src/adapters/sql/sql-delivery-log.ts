import type { Selectable } from 'kysely';
import type { EventType } from '../../events/event-envelope.js';
import type {
  Attempt,
  AttemptOutcomeKind,
  AttemptSummary,
  AttemptTrigger,
  BatchEventState,
  Delivery,
  DeliveryContent,
  DeliveryOrigin,
  DeliveryState,
  ErrorCategory,
  FailureReason,
} from '../../webhooks/delivery.js';
import type {
  AttemptStats,
  DeliveryFilter,
  DeliveryLog,
  DeliveryPage,
  SequencedEvent,
} from '../../webhooks/delivery-log.js';
import type { BatchEventRow, Replay, ReplaySelection } from '../../webhooks/delivery-store.js';
import type { WebhookDeliveriesTable } from './schema.js';
import type { SqlEngine } from './sql-engine.js';

export class SqlDeliveryLog implements DeliveryLog {
  constructor(private readonly engine: SqlEngine) {}

  async list(workspaceId: string, filter: DeliveryFilter, page: DeliveryPage): Promise<Delivery[]> {
    let query = this.engine.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('workspace_id', '=', workspaceId);
    if (filter.subscriptionId !== undefined)
      query = query.where('subscription_id', '=', filter.subscriptionId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.eventId !== undefined) {
      const eventId = filter.eventId;
      query = query.where((eb) =>
        eb.or([
          eb('event_id', '=', eventId),
          eb(
            'delivery_id',
            'in',
            eb.selectFrom('webhook_batch_events').select('delivery_id').where('event_id', '=', eventId),
          ),
        ]),
      );
    }
    if (page.beforeDeliveryId !== null) query = query.where('delivery_id', '<', page.beforeDeliveryId);
    const rows = await query.orderBy('delivery_id', 'desc').limit(page.limit).execute();
    return rows.map(deliveryFromRow);
  }

  async get(workspaceId: string, deliveryId: string): Promise<Delivery | null> {
    const row = await this.engine.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('delivery_id', '=', deliveryId)
      .executeTakeFirst();
    return row ? deliveryFromRow(row) : null;
  }

  async attempts(workspaceId: string, deliveryId: string): Promise<Attempt[]> {
    const rows = await this.engine.db
      .selectFrom('webhook_attempts as a')
      .innerJoin('webhook_deliveries as d', 'd.delivery_id', 'a.delivery_id')
      .selectAll('a')
      .where('d.workspace_id', '=', workspaceId)
      .where('a.delivery_id', '=', deliveryId)
      .orderBy('a.attempt_number')
      .execute();
    return rows.map((row) => ({
      deliveryId: row.delivery_id,
      subscriptionId: row.subscription_id,
      attemptNumber: Number(row.attempt_number),
      trigger: row.trigger as AttemptTrigger,
      startedAt: Number(row.started_at),
      durationMs: Number(row.duration_ms),
      outcome: row.outcome as AttemptOutcomeKind,
      statusCode: row.status_code === null ? null : Number(row.status_code),
      errorCategory: row.error_category as ErrorCategory | null,
      errorDetail: row.error_detail,
      requestHeaders: JSON.parse(row.request_headers) as Record<string, string>,
      responseBody: row.response_body,
    }));
  }

  async batchEvents(workspaceId: string, deliveryId: string): Promise<BatchEventRow[]> {
    const rows = await this.engine.db
      .selectFrom('webhook_batch_events as b')
      .innerJoin('webhook_deliveries as d', 'd.delivery_id', 'b.delivery_id')
      .select(['b.sequence', 'b.event_id', 'b.state'])
      .where('d.workspace_id', '=', workspaceId)
      .where('b.delivery_id', '=', deliveryId)
      .orderBy('b.sequence')
      .execute();
    return rows.map((row) => ({
      sequence: Number(row.sequence),
      eventId: row.event_id,
      state: row.state as BatchEventState,
    }));
  }

  async streamAfter(subscriptionId: string, afterSequence: number, limit: number): Promise<SequencedEvent[]> {
    const rows = await this.engine.db
      .selectFrom('webhook_subscription_events as i')
      .innerJoin('events as e', 'e.event_id', 'i.event_id')
      .select(['i.sequence', 'e.event_id', 'e.workspace_id', 'e.event_type', 'e.occurred_at', 'e.payload'])
      .where('i.subscription_id', '=', subscriptionId)
      .where('i.sequence', '>', afterSequence)
      .orderBy('i.sequence')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      sequence: Number(row.sequence),
      event: {
        eventId: row.event_id,
        workspaceId: row.workspace_id,
        eventType: row.event_type as EventType,
        occurredAt: Number(row.occurred_at),
        payload: row.payload,
      },
    }));
  }

  async attemptStats(subscriptionId: string, since: number): Promise<AttemptStats> {
    const rows = await this.engine.db
      .selectFrom('webhook_attempts')
      .select(['outcome', 'error_category', (eb) => eb.fn.countAll<number>().as('n')])
      .where('subscription_id', '=', subscriptionId)
      .where('started_at', '>=', since)
      // Test sends say nothing about how the subscription's real deliveries fare.
      .where('trigger', '!=', 'test')
      .groupBy(['outcome', 'error_category'])
      .execute();
    const byOutcome: Record<AttemptOutcomeKind, number> = { succeeded: 0, partial: 0, failed: 0 };
    const byErrorCategory: Partial<Record<ErrorCategory, number>> = {};
    let total = 0;
    for (const row of rows) {
      const n = Number(row.n);
      total += n;
      byOutcome[row.outcome as AttemptOutcomeKind] += n;
      if (row.error_category !== null) {
        const category = row.error_category as ErrorCategory;
        byErrorCategory[category] = (byErrorCategory[category] ?? 0) + n;
      }
    }
    return { total, byOutcome, byErrorCategory };
  }

  async durationQuantiles(
    subscriptionId: string,
    since: number,
    quantiles: readonly number[],
  ): Promise<(number | null)[]> {
    const scope = this.engine.db
      .selectFrom('webhook_attempts')
      .where('subscription_id', '=', subscriptionId)
      .where('started_at', '>=', since)
      .where('trigger', '!=', 'test');
    const counted = await scope.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const n = Number(counted?.n ?? 0);
    if (n === 0) return quantiles.map(() => null);
    // Nearest rank: portable SQL (no percentile functions needed), one indexed scan per quantile.
    return Promise.all(
      quantiles.map(async (q) => {
        const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
        const row = await scope
          .select('duration_ms')
          .orderBy('duration_ms')
          .limit(1)
          .offset(rank - 1)
          .executeTakeFirst();
        return row ? Number(row.duration_ms) : null;
      }),
    );
  }

  async oldestPendingAt(subscriptionId: string): Promise<number | null> {
    const open = await this.engine.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.min('created_at').as('oldest'))
      .where('subscription_id', '=', subscriptionId)
      .where('due_at', 'is not', null)
      .executeTakeFirst();
    const waiting = await this.engine.db
      .selectFrom('webhook_subscriptions as s')
      .innerJoin('webhook_subscription_events as i', 'i.subscription_id', 's.subscription_id')
      .select('i.created_at')
      .where('s.subscription_id', '=', subscriptionId)
      .where('s.mode', '=', 'batch')
      .whereRef('i.sequence', '>', 's.batched_through')
      .orderBy('i.sequence')
      .limit(1)
      .executeTakeFirst();
    const times = [open?.oldest, waiting?.created_at]
      .filter((t) => t !== null && t !== undefined)
      .map(Number);
    return times.length === 0 ? null : Math.min(...times);
  }

  async replays(
    workspaceId: string,
    subscriptionId: string,
    page: { beforeReplayId: string | null; limit: number },
  ): Promise<Replay[]> {
    let query = this.engine.db
      .selectFrom('webhook_replays')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('subscription_id', '=', subscriptionId);
    if (page.beforeReplayId !== null) query = query.where('replay_id', '<', page.beforeReplayId);
    const rows = await query.orderBy('replay_id', 'desc').limit(page.limit).execute();
    return rows.map((row) => ({
      replayId: row.replay_id,
      workspaceId: row.workspace_id,
      subscriptionId: row.subscription_id,
      selection: JSON.parse(row.selection) as ReplaySelection,
      requestedBy: row.requested_by,
      requestedAt: Number(row.requested_at),
      eventCount: Number(row.event_count),
      deliveryCount: Number(row.delivery_count),
    }));
  }
}

export function deliveryFromRow(row: Selectable<WebhookDeliveriesTable>): Delivery {
  const content: DeliveryContent =
    row.kind === 'batch'
      ? { kind: 'batch', eventCount: Number(row.event_count) }
      : row.kind === 'test'
        ? { kind: 'test', eventId: row.event_id ?? row.webhook_id }
        : { kind: 'event', eventId: row.event_id ?? row.webhook_id, sequence: Number(row.sequence) };
  return {
    deliveryId: row.delivery_id,
    workspaceId: row.workspace_id,
    subscriptionId: row.subscription_id,
    webhookId: row.webhook_id,
    content,
    origin: row.origin as DeliveryOrigin,
    replayId: row.replay_id,
    attemptCount: Number(row.attempt_count),
    state: stateOf(row),
    createdAt: Number(row.created_at),
  };
}

function stateOf(row: Selectable<WebhookDeliveriesTable>): DeliveryState {
  const last: AttemptSummary | null =
    row.last_attempt_at === null
      ? null
      : {
          at: Number(row.last_attempt_at),
          statusCode: row.last_status_code === null ? null : Number(row.last_status_code),
          errorCategory: row.last_error_category as ErrorCategory | null,
          durationMs: Number(row.last_duration_ms ?? 0),
        };
  const nextAttemptAt = Number(row.next_attempt_at);
  const completedAt = Number(row.completed_at);
  switch (row.status) {
    case 'pending':
      return { status: 'pending', nextAttemptAt };
    case 'retrying':
      return { status: 'retrying', nextAttemptAt, lastAttempt: last ?? missingAttempt(row) };
    case 'succeeded':
      return { status: 'succeeded', completedAt, lastAttempt: last ?? missingAttempt(row) };
    default:
      return {
        status: 'failed',
        completedAt,
        reason: (row.failure_reason ?? 'attempts_exhausted') as FailureReason,
        lastAttempt: last,
      };
  }
}

/** A retrying or succeeded delivery always has an attempt; a row saying otherwise is damaged. */
function missingAttempt(row: Selectable<WebhookDeliveriesTable>): never {
  throw new Error(`delivery ${row.delivery_id} is ${row.status} but has no attempt recorded`);
}
