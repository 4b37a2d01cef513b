import type { Insertable, Selectable, Transaction } from 'kysely';
import type { BlockReason, RedirectStatus } from '../../click-log/raw-click.js';
import type { FraudReason } from '../../processing/classification/fraud-reason.js';
import type { ReasonCode } from '../../processing/classification/reason-code.js';
import type { TrafficClass } from '../../processing/classification/traffic-class.js';
import type { DeviceType, ReferrerCategory } from '../../processing/enrichment/enrichment.js';
import type { ProcessedClick } from '../../processing/processed-click.js';
import {
  ClicksAlreadyStoredError,
  type ProcessedBatch,
  type ProcessingStore,
  type VisitorWindow,
  visitorWindowId,
} from '../../processing/processing-store.js';
import type { RollupDelta } from '../../processing/rollups/rollup-deltas.js';
import type { UniquenessRule } from '../../processing/uniqueness/uniqueness-rule.js';
import type { ClicksTable, StoreSchema } from './schema.js';
import type { SqlEngine } from './sql-engine.js';

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 200;

export class SqlProcessingStore implements ProcessingStore {
  constructor(private readonly engine: SqlEngine) {}

  async readCursor(consumer: string): Promise<number> {
    const row = await this.engine.db
      .selectFrom('consumer_cursors')
      .select('position')
      .where('consumer', '=', consumer)
      .executeTakeFirst();
    return row ? Number(row.position) : 0;
  }

  async knownClickIds(clickIds: readonly string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (const ids of chunks(clickIds)) {
      const rows = await this.engine.db
        .selectFrom('clicks')
        .select('click_id')
        .where('click_id', 'in', ids)
        .execute();
      for (const row of rows) known.add(row.click_id);
    }
    return known;
  }

  async visitorWindows(
    keys: readonly { linkId: string; visitorKey: string }[],
  ): Promise<Map<string, number>> {
    const windows = new Map<string, number>();
    for (const part of chunks(keys)) {
      const rows = await this.engine.db
        .selectFrom('visitor_windows')
        .selectAll()
        .where((eb) =>
          eb.or(
            part.map((key) =>
              eb.and([eb('link_id', '=', key.linkId), eb('visitor_key', '=', key.visitorKey)]),
            ),
          ),
        )
        .execute();
      for (const row of rows)
        windows.set(visitorWindowId(row.link_id, row.visitor_key), Number(row.window_start));
    }
    return windows;
  }

  /**
   * Row locks are taken in key order (relabels, windows and rollups sorted), so two processors
   * committing overlapping batches at once wait for each other instead of deadlocking. Clicks and
   * events go last: on PostgreSQL inserting them takes the `seq` order lock until commit (a trigger,
   * migrations 0002/0003), so it is held briefly; a duplicate click found there rolls back the
   * rollups written before it.
   */
  async commit(batch: ProcessedBatch): Promise<void> {
    await this.engine.db.transaction().execute(async (trx) => {
      const relabels = [...batch.relabels].sort((a, b) => compare(a.clickId, b.clickId));
      for (const relabel of relabels) {
        const { verdict } = relabel;
        await trx
          .updateTable('clicks')
          .set({
            traffic_class: verdict.trafficClass,
            bot_score: verdict.botScore,
            is_suspicious: verdict.isSuspicious ? 1 : 0,
            fraud_reason: verdict.fraudReason,
            reasons: JSON.stringify(verdict.reasons),
          })
          .where('click_id', '=', relabel.clickId)
          .execute();
      }
      const windows = [...lastPerKey(batch.visitorWindows).values()].sort(
        (a, b) => compare(a.linkId, b.linkId) || compare(a.visitorKey, b.visitorKey),
      );
      for (const part of chunks(windows)) {
        await trx
          .insertInto('visitor_windows')
          .values(
            part.map((w) => ({ link_id: w.linkId, visitor_key: w.visitorKey, window_start: w.windowStart })),
          )
          .onConflict((oc) =>
            oc
              .columns(['link_id', 'visitor_key'])
              .doUpdateSet((eb) => ({ window_start: eb.ref('excluded.window_start') })),
          )
          .execute();
      }
      const rollups = mergeRollups(batch.rollups).sort(compareRollupKeys);
      for (const part of chunks(rollups)) {
        await trx
          .insertInto('click_rollups')
          .values(
            part.map((delta) => ({
              workspace_id: delta.workspaceId,
              link_id: delta.linkId ?? '',
              hour: delta.hour,
              country: delta.country ?? '',
              device_type: delta.deviceType,
              referrer_category: delta.referrerCategory,
              traffic_class: delta.trafficClass,
              is_unique: delta.isUnique ? 1 : 0,
              clicks: delta.clicks,
            })),
          )
          .onConflict((oc) =>
            oc
              .columns([
                'workspace_id',
                'hour',
                'link_id',
                'country',
                'device_type',
                'referrer_category',
                'traffic_class',
                'is_unique',
              ])
              .doUpdateSet((eb) => ({ clicks: eb('click_rollups.clicks', '+', eb.ref('excluded.clicks')) })),
          )
          .execute();
      }
      await insertClicks(trx, batch.clicks);
      for (const part of chunks(batch.events)) {
        await trx
          .insertInto('events')
          .values(
            part.map((event) => ({
              event_id: event.eventId,
              workspace_id: event.workspaceId,
              event_type: event.eventType,
              occurred_at: event.occurredAt,
              payload: event.payload,
            })),
          )
          .execute();
      }
      // No cursor when the click log keeps the group's progress (JetStream acknowledgements).
      if (batch.position !== null) {
        await trx
          .insertInto('consumer_cursors')
          .values({ consumer: batch.consumer, position: batch.position, updated_at: batch.at })
          .onConflict((oc) =>
            oc.column('consumer').doUpdateSet((eb) => ({
              position: eb.ref('excluded.position'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
    });
  }

  async getClick(workspaceId: string, clickId: string): Promise<ProcessedClick | null> {
    const row = await this.engine.db
      .selectFrom('clicks')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('click_id', '=', clickId)
      .executeTakeFirst();
    return row ? clickFromRow(row) : null;
  }

  async rollupCells(workspaceId: string): Promise<RollupDelta[]> {
    const rows = await this.engine.db
      .selectFrom('click_rollups')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('clicks', '!=', 0)
      .orderBy([
        'hour',
        'link_id',
        'country',
        'device_type',
        'referrer_category',
        'traffic_class',
        'is_unique',
      ])
      .execute();
    return rows.map((row) => ({
      workspaceId: row.workspace_id,
      linkId: row.link_id === '' ? null : row.link_id,
      hour: Number(row.hour),
      country: row.country === '' ? null : row.country,
      deviceType: row.device_type,
      referrerCategory: row.referrer_category,
      trafficClass: row.traffic_class,
      isUnique: Number(row.is_unique) === 1,
      clicks: Number(row.clicks),
    }));
  }

  async deleteVisitorWindowsBefore(before: number): Promise<number> {
    const result = await this.engine.db
      .deleteFrom('visitor_windows')
      .where('window_start', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/**
 * Inserts the batch's clicks; `ON CONFLICT DO NOTHING RETURNING` tells which went in. If any did not
 * (another processor stored it first), the transaction is abandoned so rollups and events are
 * never written for a click counted elsewhere. The conflict has no target: the unique key is
 * `click_id` on SQLite and `(click_id, occurred_at)` on PostgreSQL's partitioned table.
 */
async function insertClicks(trx: Transaction<StoreSchema>, clicks: readonly ProcessedClick[]): Promise<void> {
  const duplicates: string[] = [];
  for (const part of chunks(clicks)) {
    const inserted = await trx
      .insertInto('clicks')
      .values(part.map(clickToRow))
      .onConflict((oc) => oc.doNothing())
      .returning('click_id')
      .execute();
    if (inserted.length !== part.length) {
      const stored = new Set(inserted.map((row) => row.click_id));
      for (const click of part) if (!stored.has(click.clickId)) duplicates.push(click.clickId);
    }
  }
  if (duplicates.length > 0) throw new ClicksAlreadyStoredError(duplicates);
}

export function clickToRow(click: ProcessedClick): Insertable<ClicksTable> {
  return {
    click_id: click.clickId,
    workspace_id: click.workspaceId,
    link_id: click.linkId,
    domain_id: click.domainId,
    slug: click.slug,
    campaign_id: click.campaignId,
    occurred_at: click.occurredAt,
    received_at: click.receivedAt,
    processed_at: click.processedAt,
    method: click.method,
    redirect_status: click.redirectStatus,
    block_reason: click.blockReason,
    // '' stands for "not collected" (privacy option off) in these NOT NULL columns; read back as null.
    ip_hash: click.ipHash ?? '',
    ip_prefix: click.ipPrefix ?? '',
    country: click.country,
    region: click.region,
    asn: click.asn,
    device_type: click.deviceType,
    os_family: click.osFamily,
    browser_family: click.browserFamily,
    referrer_category: click.referrerCategory,
    referrer_host: click.referrerHost,
    language: click.language,
    is_unique: click.isUnique ? 1 : 0,
    uniqueness_rule: click.uniquenessRule,
    traffic_class: click.trafficClass,
    bot_score: click.botScore,
    is_suspicious: click.isSuspicious ? 1 : 0,
    fraud_reason: click.fraudReason,
    reasons: JSON.stringify(click.reasons),
    privacy_mode: click.privacyMode,
    simulated: click.simulated ? 1 : 0,
  };
}

export function clickFromRow(row: Selectable<ClicksTable>): ProcessedClick {
  const trafficClass = row.traffic_class as TrafficClass;
  return {
    clickId: row.click_id,
    workspaceId: row.workspace_id,
    linkId: row.link_id,
    domainId: row.domain_id,
    slug: row.slug,
    campaignId: row.campaign_id,
    occurredAt: Number(row.occurred_at),
    receivedAt: Number(row.received_at),
    processedAt: Number(row.processed_at),
    method: row.method === 'HEAD' ? 'HEAD' : 'GET',
    redirectStatus: row.redirect_status as RedirectStatus,
    blockReason: row.block_reason as BlockReason | null,
    ipHash: row.ip_hash === '' ? null : row.ip_hash,
    ipPrefix: row.ip_prefix === '' ? null : row.ip_prefix,
    country: row.country,
    region: row.region,
    asn: row.asn === null ? null : Number(row.asn),
    deviceType: row.device_type as DeviceType,
    osFamily: row.os_family,
    browserFamily: row.browser_family,
    referrerCategory: row.referrer_category as ReferrerCategory,
    referrerHost: row.referrer_host,
    language: row.language,
    isUnique: Number(row.is_unique) === 1,
    uniquenessRule: row.uniqueness_rule as UniquenessRule,
    trafficClass,
    isBot: trafficClass !== 'human',
    botScore: Number(row.bot_score),
    isSuspicious: Number(row.is_suspicious) === 1,
    fraudReason: row.fraud_reason as FraudReason | null,
    reasons: parseReasons(row.reasons),
    privacyMode: row.privacy_mode,
    simulated: Number(row.simulated) === 1,
  };
}

function parseReasons(json: string): ReasonCode[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed.filter((code) => typeof code === 'string') as ReasonCode[]) : [];
  } catch {
    return [];
  }
}

/**
 * One row per key in a multi-row upsert: PostgreSQL refuses to change the same row twice in one
 * `INSERT … ON CONFLICT DO UPDATE`. Windows: the last one wins, as separate statements would.
 */
function lastPerKey(windows: readonly VisitorWindow[]): Map<string, VisitorWindow> {
  return new Map(windows.map((w) => [visitorWindowId(w.linkId, w.visitorKey), w]));
}

/** Rollup deltas of the same cell summed into one (see {@link lastPerKey}). */
function mergeRollups(deltas: readonly RollupDelta[]): RollupDelta[] {
  const cells = new Map<string, RollupDelta>();
  for (const delta of deltas) {
    const key = JSON.stringify([
      delta.workspaceId,
      delta.hour,
      delta.linkId,
      delta.country,
      delta.deviceType,
      delta.referrerCategory,
      delta.trafficClass,
      delta.isUnique,
    ]);
    const known = cells.get(key);
    cells.set(key, known ? { ...known, clicks: known.clicks + delta.clicks } : delta);
  }
  return [...cells.values()];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders rollup cells by their primary key, the order their row locks are taken in. */
function compareRollupKeys(a: RollupDelta, b: RollupDelta): number {
  return (
    compare(a.workspaceId, b.workspaceId) ||
    a.hour - b.hour ||
    compare(a.linkId ?? '', b.linkId ?? '') ||
    compare(a.country ?? '', b.country ?? '') ||
    compare(a.deviceType, b.deviceType) ||
    compare(a.referrerCategory, b.referrerCategory) ||
    compare(a.trafficClass, b.trafficClass) ||
    Number(a.isUnique) - Number(b.isUnique)
  );
}

function chunks<T>(items: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) parts.push(items.slice(i, i + CHUNK));
  return parts;
}
