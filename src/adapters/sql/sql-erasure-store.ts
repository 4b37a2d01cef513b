import { type Selectable, sql, type Transaction } from 'kysely';
import { idFloor } from '../../kernel/ids.js';
import {
  type ErasureCounts,
  type ErasureRequest,
  type ErasureStatus,
  type LoggedSelector,
  NO_COUNTS,
} from '../../privacy/erasure-request.js';
import type {
  ErasableClick,
  ErasureBatch,
  ErasureStore,
  StoredClickSelection,
} from '../../privacy/erasure-store.js';
import { RollupDeltas, rollupKeyOf } from '../../processing/rollups/rollup-deltas.js';
import type { ErasureRequestsTable, StoreSchema } from './schema.js';
import type { SqlEngine } from './sql-engine.js';
import { filterOnly } from './sql-filter-only.js';
import { clickFromRow } from './sql-processing-store.js';

/** Events that carry a click in `data.click`: the ones an erasure deletes with the click. */
const CLICK_EVENT_TYPES = ['click.created', 'click.flagged', 'click.enriched'] as const;
/**
 * Events about a click are minted when the processor handles it, after it occurred. This much
 * earlier is searched too, for clocks of different processes that disagree a little.
 */
const CLOCK_SLACK_MS = 3_600_000;

export class SqlErasureStore implements ErasureStore {
  constructor(
    private readonly engine: SqlEngine,
    /** Engine-specific step that makes deleted rows unrecoverable from the files (SQLite: truncate the WAL). */
    private readonly scrub: () => Promise<void> = async () => {},
  ) {}

  async create(request: ErasureRequest): Promise<{ request: ErasureRequest; created: boolean }> {
    const inserted = await this.engine.db
      .insertInto('erasure_requests')
      .values(toRow(request))
      .onConflict((oc) => oc.columns(['workspace_id', 'fingerprint']).doNothing())
      .executeTakeFirst();
    const created = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
    const row = await this.engine.db
      .selectFrom('erasure_requests')
      .selectAll()
      .where('workspace_id', '=', request.workspaceId)
      .where('fingerprint', '=', request.fingerprint)
      .executeTakeFirstOrThrow();
    return { request: fromRow(row), created };
  }

  async get(workspaceId: string, requestId: string): Promise<ErasureRequest | null> {
    const row = await this.engine.db
      .selectFrom('erasure_requests')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async unfinished(): Promise<ErasureRequest[]> {
    const rows = await this.engine.db
      .selectFrom('erasure_requests')
      .selectAll()
      .where('status', 'in', ['pending', 'running'])
      .orderBy('request_id')
      .execute();
    return rows.map(fromRow);
  }

  async setStatus(
    requestId: string,
    status: ErasureStatus,
    at: number,
    error: string | null = null,
  ): Promise<void> {
    await this.engine.db
      .updateTable('erasure_requests')
      .set({
        status,
        error,
        ...(status === 'running' ? { started_at: at } : {}),
        ...(status === 'completed' || status === 'failed' ? { finished_at: at } : {}),
      })
      .where('request_id', '=', requestId)
      .execute();
  }

  async addCounts(requestId: string, counts: Partial<ErasureCounts>): Promise<void> {
    await addCountsIn(this.engine.db, requestId, counts);
  }

  async findClicks(
    workspaceId: string,
    selection: StoredClickSelection,
    afterSeq: number,
    limit: number,
  ): Promise<ErasableClick[]> {
    if (selection.ipHashes !== null && selection.ipHashes.length === 0) return [];
    // No index serves `ip_hash` (it would cost every click's insert; see
    // docs/adr/2026-11-28-erasure-without-ip-hash-index.md): a visitor's clicks are searched for
    // along `(workspace_id, occurred_at)` over the days of the salts still held — a few days of
    // clicks, sorted by `seq` — rather than along `(workspace_id, seq)` through every click kept.
    const byTime = selection.ipHashes !== null && selection.from !== null;
    let q = this.engine.db
      .selectFrom('clicks')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where(byTime ? filterOnly('seq') : sql.ref('seq'), '>', afterSeq);
    if (selection.ipHashes !== null) q = q.where('ip_hash', 'in', selection.ipHashes);
    if (selection.linkId !== null) q = q.where('link_id', '=', selection.linkId);
    if (selection.from !== null) q = q.where('occurred_at', '>=', selection.from);
    if (selection.until !== null) q = q.where('occurred_at', '<', selection.until);
    const rows = await q.orderBy('seq').limit(limit).execute();
    return rows.map((row) => ({ seq: Number(row.seq), click: clickFromRow(row) }));
  }

  async eraseBatch(input: ErasureBatch): Promise<Partial<ErasureCounts>> {
    if (input.clicks.length === 0) return {};
    return this.engine.db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('clicks')
        .where('workspace_id', '=', input.workspaceId)
        .where(
          'click_id',
          'in',
          input.clicks.map((click) => click.clickId),
        )
        .returning('click_id')
        .execute();
      // Only what this transaction deleted is subtracted and announced: an erasure running twice
      // at once (two API processes resuming it) never counts a click out, or announces it, twice.
      const gone = new Set(deleted.map((row) => row.click_id));
      const batch: ErasureBatch = {
        ...input,
        clicks: input.clicks.filter((click) => gone.has(click.clickId)),
        events: input.events.filter((_, i) => gone.has(input.clicks[i]!.clickId)),
      };
      if (batch.clicks.length === 0) return {};

      // Take the clicks out of the cells they were counted in (their current labels: a re-label
      // moved them between cells). Cells left empty are deleted, so no trace of them remains.
      const deltas = new RollupDeltas();
      let subtracted = 0;
      for (const click of batch.clicks) {
        if (click.simulated) continue;
        deltas.add(rollupKeyOf(click), -1);
        subtracted++;
      }
      for (const delta of deltas.toList()) {
        const cell = (eb: import('kysely').ExpressionBuilder<StoreSchema, 'click_rollups'>) =>
          eb.and([
            eb('workspace_id', '=', delta.workspaceId),
            eb('hour', '=', delta.hour),
            eb('link_id', '=', delta.linkId ?? ''),
            eb('country', '=', delta.country ?? ''),
            eb('device_type', '=', delta.deviceType),
            eb('referrer_category', '=', delta.referrerCategory),
            eb('traffic_class', '=', delta.trafficClass),
            eb('is_unique', '=', delta.isUnique ? 1 : 0),
          ]);
        await trx
          .updateTable('click_rollups')
          .set((eb) => ({ clicks: eb('clicks', '+', delta.clicks) }))
          .where(cell)
          .execute();
        await trx.deleteFrom('click_rollups').where(cell).where('clicks', '<=', 0).execute();
      }

      const eventIds = await eventsCarrying(trx, batch);
      let bodies = 0;
      if (eventIds.length > 0) {
        bodies = await purgeDeliveryBodies(trx, eventIds);
        await trx.deleteFrom('events').where('event_id', 'in', eventIds).execute();
      }
      if (batch.events.length > 0) {
        await trx
          .insertInto('events')
          .values(
            batch.events.map((event) => ({
              event_id: event.eventId,
              workspace_id: event.workspaceId,
              event_type: event.eventType,
              occurred_at: event.occurredAt,
              payload: event.payload,
            })),
          )
          .execute();
      }
      const counts: Partial<ErasureCounts> = {
        clicksErased: gone.size,
        eventsPurged: eventIds.length,
        deliveryBodiesPurged: bodies,
        rollupClicksSubtracted: subtracted,
      };
      await addCountsIn(trx, batch.requestId, counts);
      return counts;
    });
  }

  async deleteVisitorWindows(visitorKeys: readonly string[]): Promise<number> {
    if (visitorKeys.length === 0) return 0;
    const result = await this.engine.db
      .deleteFrom('visitor_windows')
      .where('visitor_key', 'in', visitorKeys)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  scrubFreedSpace(): Promise<void> {
    return this.scrub();
  }
}

type Db = Transaction<StoreSchema> | SqlEngine['db'];

/**
 * The events that carry one of the batch's clicks. Events have no click column; they are found
 * along `(workspace_id, event_id)` from when the earliest click occurred (its events were minted
 * when it was processed, later), then by the click id in the payload.
 */
async function eventsCarrying(trx: Db, batch: ErasureBatch): Promise<string[]> {
  const earliest = Math.min(...batch.clicks.map((click) => click.occurredAt));
  const rows = await trx
    .selectFrom('events')
    .select('event_id')
    .where('workspace_id', '=', batch.workspaceId)
    .where('event_id', '>=', idFloor('event', earliest - CLOCK_SLACK_MS))
    .where('event_type', 'in', CLICK_EVENT_TYPES)
    .where((eb) =>
      eb.or(batch.clicks.map((click) => eb('payload', 'like', `%"click_id":"${click.clickId}"%`))),
    )
    .execute();
  return rows.map((row) => row.event_id);
}

/**
 * Clears what the delivery log kept of these events' deliveries: the subscribers' answers (which
 * may echo the body). Bodies themselves are never stored per delivery: they are read from
 * `events` when sent, so deleting the event purges them — a delivery still due then settles as
 * "event gone" instead of sending it.
 */
async function purgeDeliveryBodies(trx: Db, eventIds: readonly string[]): Promise<number> {
  const deliveries = trx
    .selectFrom('webhook_deliveries')
    .select('delivery_id')
    .where('event_id', 'in', eventIds)
    .union(trx.selectFrom('webhook_batch_events').select('delivery_id').where('event_id', 'in', eventIds));
  const result = await trx
    .updateTable('webhook_attempts')
    .set({ response_body: null })
    .where('delivery_id', 'in', deliveries)
    .where('response_body', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

async function addCountsIn(db: Db, requestId: string, counts: Partial<ErasureCounts>): Promise<void> {
  await db
    .updateTable('erasure_requests')
    .set((eb) => ({
      clicks_erased: eb('clicks_erased', '+', counts.clicksErased ?? 0),
      raw_clicks_erased: eb('raw_clicks_erased', '+', counts.rawClicksErased ?? 0),
      events_purged: eb('events_purged', '+', counts.eventsPurged ?? 0),
      delivery_bodies_purged: eb('delivery_bodies_purged', '+', counts.deliveryBodiesPurged ?? 0),
      rollup_clicks_subtracted: eb('rollup_clicks_subtracted', '+', counts.rollupClicksSubtracted ?? 0),
      salt_days: eb('salt_days', '+', counts.saltDays ?? 0),
    }))
    .where('request_id', '=', requestId)
    .execute();
}

function toRow(request: ErasureRequest): ErasureRequestsTable {
  return {
    request_id: request.requestId,
    workspace_id: request.workspaceId,
    fingerprint: request.fingerprint,
    kind: request.selector.kind,
    selector: JSON.stringify(request.selector),
    status: request.status,
    requested_by: request.requestedBy,
    requested_at: request.requestedAt,
    started_at: request.startedAt,
    finished_at: request.finishedAt,
    clicks_erased: request.counts.clicksErased,
    raw_clicks_erased: request.counts.rawClicksErased,
    events_purged: request.counts.eventsPurged,
    delivery_bodies_purged: request.counts.deliveryBodiesPurged,
    rollup_clicks_subtracted: request.counts.rollupClicksSubtracted,
    salt_days: request.counts.saltDays,
    error: request.error,
  };
}

function fromRow(row: Selectable<ErasureRequestsTable>): ErasureRequest {
  return {
    requestId: row.request_id,
    workspaceId: row.workspace_id,
    fingerprint: row.fingerprint,
    selector: JSON.parse(row.selector) as LoggedSelector,
    status: row.status as ErasureStatus,
    requestedBy: row.requested_by,
    requestedAt: Number(row.requested_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    counts: {
      ...NO_COUNTS,
      clicksErased: Number(row.clicks_erased),
      rawClicksErased: Number(row.raw_clicks_erased),
      eventsPurged: Number(row.events_purged),
      deliveryBodiesPurged: Number(row.delivery_bodies_purged),
      rollupClicksSubtracted: Number(row.rollup_clicks_subtracted),
      saltDays: Number(row.salt_days),
    },
    error: row.error,
  };
}
