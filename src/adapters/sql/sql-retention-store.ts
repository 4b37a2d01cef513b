import { idFloor } from '../../kernel/ids.js';
import type { RetentionStore } from '../../privacy/retention-store.js';
import type { SqlEngine } from './sql-engine.js';

/**
 * Retention deletes, each a bounded batch chosen by a subquery with `LIMIT`, so every call is one
 * short statement along an index: `(workspace_id, occurred_at)` for clicks, `(workspace_id,
 * event_id)` for events (ids sort by when they were minted), the rollups' key for rollups.
 */
export class SqlRetentionStore implements RetentionStore {
  constructor(private readonly engine: SqlEngine) {}

  async deleteClicksBefore(workspaceId: string, before: number, limit: number): Promise<number> {
    const { db } = this.engine;
    const result = await db
      .deleteFrom('clicks')
      .where('seq', 'in', (eb) =>
        eb
          .selectFrom('clicks')
          .select('seq')
          .where('workspace_id', '=', workspaceId)
          .where('occurred_at', '<', before)
          .orderBy('occurred_at')
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteEventsBefore(workspaceId: string, before: number, limit: number): Promise<number> {
    const { db } = this.engine;
    const result = await db
      .deleteFrom('events')
      .where('event_id', 'in', (eb) =>
        eb
          .selectFrom('events')
          .select('event_id')
          .where('workspace_id', '=', workspaceId)
          .where('event_id', '<', idFloor('event', before))
          .orderBy('event_id')
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async purgeDeliveryBodiesBefore(workspaceId: string, before: number, limit: number): Promise<number> {
    const { db } = this.engine;
    const subscriptions = db
      .selectFrom('webhook_subscriptions')
      .select('subscription_id')
      .where('workspace_id', '=', workspaceId);
    const attempts = await db
      .selectFrom('webhook_attempts')
      .select(['delivery_id', 'attempt_number'])
      .where('subscription_id', 'in', subscriptions)
      .where('started_at', '<', before)
      .where('response_body', 'is not', null)
      .limit(limit)
      .execute();
    let changed = 0;
    if (attempts.length > 0) {
      const result = await db
        .updateTable('webhook_attempts')
        .set({ response_body: null })
        .where((eb) =>
          eb.or(
            attempts.map((a) =>
              eb.and([eb('delivery_id', '=', a.delivery_id), eb('attempt_number', '=', a.attempt_number)]),
            ),
          ),
        )
        .executeTakeFirst();
      changed += Number(result.numUpdatedRows);
    }
    const tests = await db
      .updateTable('webhook_deliveries')
      .set({ payload: null })
      .where('delivery_id', 'in', (eb) =>
        eb
          .selectFrom('webhook_deliveries')
          .select('delivery_id')
          .where('workspace_id', '=', workspaceId)
          .where('created_at', '<', before)
          .where('payload', 'is not', null)
          .limit(limit),
      )
      .executeTakeFirst();
    return changed + Number(tests.numUpdatedRows);
  }

  async deleteRollupsBefore(workspaceId: string, before: number, limit: number): Promise<number> {
    const { db } = this.engine;
    const cells = await db
      .selectFrom('click_rollups')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('hour', '<', before)
      .limit(limit)
      .execute();
    if (cells.length === 0) return 0;
    const result = await db
      .deleteFrom('click_rollups')
      .where('workspace_id', '=', workspaceId)
      .where((eb) =>
        eb.or(
          cells.map((cell) =>
            eb.and([
              eb('hour', '=', cell.hour),
              eb('link_id', '=', cell.link_id),
              eb('country', '=', cell.country),
              eb('device_type', '=', cell.device_type),
              eb('referrer_category', '=', cell.referrer_category),
              eb('traffic_class', '=', cell.traffic_class),
              eb('is_unique', '=', cell.is_unique),
            ]),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
