import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type {
  AnalyticsStore,
  BreakdownDimension,
  CountRule,
  Counts,
  CountsByClass,
  KeyedCounts,
  RollupScope,
} from '../../analytics/analytics-store.js';
import { TRAFFIC_CLASSES, type TrafficClass } from '../../processing/classification/traffic-class.js';
import type { SqlEngine } from './sql-engine.js';
import { filterOnly } from './sql-filter-only.js';

/** Most buckets one question may have: two years of days, or a month of hours, fit many times over. */
const MAX_BUCKETS = 5_000;

/**
 * Analytics from rollups. Without a link condition, series and totals come from
 * `click_hourly_totals` — one row per workspace and hour with a column per traffic class (and
 * its unique clicks), however many links, countries and devices the hour's clicks came from.
 * With one, and for breakdowns, from `click_rollups`: by `(link_id, hour)` for some links, by the
 * primary key `(workspace_id, hour, …)` for the whole workspace.
 *
 * Series are summed per bucket in the database (a day, an hour: the caller's boundaries, joined as
 * a list of values), so a 90-day series is 90 rows back, not 2,160.
 */
export class SqlAnalyticsStore implements AnalyticsStore {
  constructor(private readonly engine: SqlEngine) {}

  async countsByBucket(
    scope: RollupScope,
    rule: CountRule,
    boundaries: readonly number[],
  ): Promise<Counts[]> {
    const count = boundaries.length - 1;
    if (count <= 0) return [];
    if (count > MAX_BUCKETS) throw new Error(`at most ${MAX_BUCKETS} buckets in one question, not ${count}`);
    const buckets = sql.join(
      boundaries
        .slice(0, -1)
        .map((start, i) => sql`(CAST(${start} AS BIGINT), CAST(${boundaries[i + 1]!} AS BIGINT))`),
    );
    const query = hasLinkScope(scope)
      ? sql<BucketRow>`WITH buckets (start, next) AS (VALUES ${buckets})
          SELECT buckets.start AS start, sum(r.clicks) AS clicks,
            sum(CASE WHEN r.is_unique = 1 THEN r.clicks ELSE 0 END) AS unique_clicks
          FROM buckets JOIN click_rollups r ON r.hour >= buckets.start AND r.hour < buckets.next
            AND ${sql.join(rollupConditions('r', scope, rule), sql` AND `)}
          GROUP BY buckets.start`
      : sql<BucketRow>`WITH buckets (start, next) AS (VALUES ${buckets})
          SELECT buckets.start AS start, sum(${totalsColumns('t', rule, 'clicks')}) AS clicks,
            sum(${totalsColumns('t', rule, 'unique')}) AS unique_clicks
          FROM buckets JOIN click_hourly_totals t ON t.workspace_id = ${scope.workspaceId}
            AND t.hour >= buckets.start AND t.hour < buckets.next
          GROUP BY buckets.start`;
    const { rows } = await query.execute(this.engine.db);
    const byStart = new Map(rows.map((row) => [Number(row.start), row]));
    return boundaries.slice(0, -1).map((start) => {
      const row = byStart.get(start);
      return { clicks: Number(row?.clicks ?? 0), uniqueClicks: Number(row?.unique_clicks ?? 0) };
    });
  }

  async countsByClass(scope: RollupScope): Promise<CountsByClass> {
    const byClass: Partial<Record<TrafficClass, Counts>> = {};
    const everyClick: CountRule = { humansOnly: false, uniqueOnly: false };
    if (hasLinkScope(scope)) {
      const { rows } = await sql<{ traffic_class: string; clicks: number; unique_clicks: number }>`
        SELECT r.traffic_class AS traffic_class, sum(r.clicks) AS clicks,
          sum(CASE WHEN r.is_unique = 1 THEN r.clicks ELSE 0 END) AS unique_clicks
        FROM click_rollups r
        WHERE r.hour >= ${scope.from} AND r.hour < ${scope.to}
          AND ${sql.join(rollupConditions('r', scope, everyClick), sql` AND `)}
        GROUP BY r.traffic_class`.execute(this.engine.db);
      for (const row of rows) {
        const clicks = Number(row.clicks);
        if (clicks !== 0 && isTrafficClass(row.traffic_class)) {
          byClass[row.traffic_class] = { clicks, uniqueClicks: Number(row.unique_clicks) };
        }
      }
      return byClass;
    }
    const { rows } = await sql<Record<string, number | null>>`
      SELECT ${sql.join(
        TRAFFIC_CLASSES.flatMap((c) => [
          sql`sum(t.${sql.ref(c)}) AS ${sql.ref(c)}`,
          sql`sum(t.${sql.ref(`${c}_unique`)}) AS ${sql.ref(`${c}_unique`)}`,
        ]),
      )}
      FROM click_hourly_totals t
      WHERE t.workspace_id = ${scope.workspaceId} AND t.hour >= ${scope.from} AND t.hour < ${scope.to}`.execute(
      this.engine.db,
    );
    const row = rows[0] ?? {};
    for (const trafficClass of TRAFFIC_CLASSES) {
      const clicks = Number(row[trafficClass] ?? 0);
      if (clicks !== 0)
        byClass[trafficClass] = { clicks, uniqueClicks: Number(row[`${trafficClass}_unique`] ?? 0) };
    }
    return byClass;
  }

  /** Groups that sum to zero are left out: re-labels move clicks between cells. */
  async countsBy(
    scope: RollupScope,
    rule: CountRule,
    dimension: BreakdownDimension,
    limit: number,
  ): Promise<KeyedCounts[]> {
    const { rows } = await sql<{ key: string; clicks: number; unique_clicks: number }>`
      SELECT ${sql.ref(`r.${dimension}`)} AS key, sum(r.clicks) AS clicks,
        sum(CASE WHEN r.is_unique = 1 THEN r.clicks ELSE 0 END) AS unique_clicks
      FROM click_rollups r
      WHERE r.hour >= ${scope.from} AND r.hour < ${scope.to}
        AND ${sql.join(rollupConditions('r', scope, rule), sql` AND `)}
      GROUP BY ${sql.ref(`r.${dimension}`)}
      HAVING sum(r.clicks) <> 0
      ORDER BY clicks DESC, key ASC
      LIMIT ${limit}`.execute(this.engine.db);
    return rows.map((row) => ({
      // '' stands for "none" in the rollup's key columns.
      key: row.key === '' ? null : row.key,
      clicks: Number(row.clicks),
      uniqueClicks: Number(row.unique_clicks),
    }));
  }

  async processedAsOf(consumer: string): Promise<number | null> {
    const row = await this.engine.db
      .selectFrom('consumer_cursors')
      .select('updated_at')
      .where('consumer', '=', consumer)
      .executeTakeFirst();
    return row ? Number(row.updated_at) : null;
  }
}

interface BucketRow {
  readonly start: number;
  readonly clicks: number | null;
  readonly unique_clicks: number | null;
}

function hasLinkScope(scope: RollupScope): boolean {
  return scope.linkId !== null || scope.campaignId !== null || scope.tag !== null;
}

function isTrafficClass(value: string): value is TrafficClass {
  return (TRAFFIC_CLASSES as readonly string[]).includes(value);
}

/** What a rule counts of an hour of `click_hourly_totals`: a sum of its class columns. */
function totalsColumns(alias: string, rule: CountRule, what: 'clicks' | 'unique'): RawBuilder<number> {
  const classes = rule.humansOnly ? (['human'] as const) : TRAFFIC_CLASSES;
  const unique = what === 'unique' || rule.uniqueOnly;
  return sql<number>`(${sql.join(
    classes.map((c) => sql.ref(`${alias}.${unique ? `${c}_unique` : c}`)),
    sql` + `,
  )})`;
}

/**
 * The conditions on rollup cells (table alias `alias`) besides the hours. With a link condition
 * the workspace is checked as a filter only, so the `(link_id, hour)` index serves it rather than a
 * range over the whole workspace; without one, cells of clicks on unknown slugs are left out.
 */
function rollupConditions(alias: string, scope: RollupScope, rule: CountRule): RawBuilder<SqlBool>[] {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  const linked = hasLinkScope(scope);
  const conditions: RawBuilder<SqlBool>[] = [
    linked
      ? sql<SqlBool>`${filterOnly(`${alias}.workspace_id`)} = ${scope.workspaceId}`
      : sql<SqlBool>`${column('workspace_id')} = ${scope.workspaceId} AND ${column('link_id')} <> ''`,
  ];
  if (rule.humansOnly) conditions.push(sql<SqlBool>`${column('traffic_class')} = 'human'`);
  if (rule.uniqueOnly) conditions.push(sql<SqlBool>`${column('is_unique')} = 1`);
  if (scope.linkId !== null) conditions.push(sql<SqlBool>`${column('link_id')} = ${scope.linkId}`);
  if (scope.campaignId !== null) {
    conditions.push(sql<SqlBool>`${column('link_id')} IN (SELECT link_id FROM links
      WHERE workspace_id = ${scope.workspaceId} AND campaign_id = ${scope.campaignId})`);
  }
  if (scope.tag !== null) {
    conditions.push(sql<SqlBool>`${column('link_id')} IN (SELECT lt.link_id FROM link_tags lt
      JOIN links l ON l.link_id = lt.link_id WHERE lt.tag = ${scope.tag} AND l.workspace_id = ${scope.workspaceId})`);
  }
  return conditions;
}
