import { type Kysely, PostgresAdapter, SqliteAdapter, sql } from 'kysely';

/**
 * What the query API reads by: indexes for the click list's access paths and for listing events
 * (in commit order, overall and by type), and `click_hourly_totals`, the workspace-wide hourly
 * series behind the analytics routes when no link filter is given: one row per workspace and
 * hour, with the clicks (and unique clicks) of each traffic class in columns — a 90-day series is
 * 2,160 rows however many links, countries and devices the rollups spread them over.
 *
 * `click_hourly_totals` is derived from `click_rollups` by triggers, in the transaction that
 * changes a rollup cell, so the two can never disagree and the processor needs to know nothing of
 * it. Cells of clicks on unknown slugs (`link_id = ''`) are left out: analytics count link clicks.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Newest-first pages of one campaign. SQLite appends the rowid (`seq`) to every index by itself;
  // it is spelled out so the index serves the `(occurred_at, seq)` keyset on PostgreSQL too.
  await db.schema
    .createIndex('clicks_by_campaign_time')
    .on('clicks')
    .columns(['workspace_id', 'campaign_id', 'occurred_at', 'seq'])
    .execute();
  // `GET /v1/events` walks a workspace's events in commit order (`seq`, added by 0003); with
  // `?type=…`, one ordered range per type rather than a walk over every click event.
  await db.schema
    .createIndex('events_by_workspace_seq')
    .on('events')
    .columns(['workspace_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('events_by_workspace_type')
    .on('events')
    .columns(['workspace_id', 'event_type', 'seq'])
    .execute();
  // Campaign filters of the analytics routes resolve to the campaign's links.
  await db.schema
    .createIndex('links_by_campaign')
    .on('links')
    .columns(['workspace_id', 'campaign_id'])
    .execute();

  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  let totals = db.schema
    .createTable('click_hourly_totals')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull());
  for (const column of COUNT_COLUMNS)
    totals = totals.addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0));
  totals = totals.addPrimaryKeyConstraint('click_hourly_totals_pk', ['workspace_id', 'hour']);
  // A row per workspace and hour, read in key order: SQLite keeps it in the key's b-tree itself.
  await (sqlite ? totals.modifyEnd(sql`WITHOUT ROWID`) : totals).execute();

  for (const statement of triggerStatements(db)) await sql.raw(statement).execute(db);

  await sql
    .raw(
      `INSERT INTO click_hourly_totals (workspace_id, hour, ${COUNT_COLUMNS.join(', ')})
       SELECT workspace_id, hour, ${COUNT_COLUMNS.map((column) => `sum(${countOf(column, '', 'clicks')})`).join(', ')}
       FROM click_rollups WHERE link_id <> '' GROUP BY workspace_id, hour`,
    )
    .execute(db);
}

export async function down(): Promise<void> {
  throw new Error('0004-query cannot be reverted; restore a backup instead');
}

/**
 * The traffic classes when this migration was written, frozen here: a class added later needs
 * columns of its own (a new migration) before the series counts it.
 */
const CLASSES = ['human', 'bot', 'link_preview', 'prefetch', 'security_scanner'] as const;

/** Per class, all its clicks and its unique ones: `human`, `human_unique`, `bot`, … */
const COUNT_COLUMNS = CLASSES.flatMap((c) => [c, `${c}_unique`]);

/** The part of a rollup row's `clicks` (`{row}.` prefix, e.g. `NEW.`) that lands in a count column. */
function countOf(column: string, row: string, clicks: string): string {
  const unique = column.endsWith('_unique');
  const trafficClass = unique ? column.slice(0, -'_unique'.length) : column;
  return `CASE WHEN ${row}traffic_class = '${trafficClass}'${unique ? ` AND ${row}is_unique = 1` : ''} THEN ${clicks} ELSE 0 END`;
}

/** Adds a rollup row's delta to its hour (`row` is NEW or OLD), unless it is a click on an unknown slug. */
const upsert = (row: 'NEW' | 'OLD', clicks: string) =>
  `INSERT INTO click_hourly_totals (workspace_id, hour, ${COUNT_COLUMNS.join(', ')})
   SELECT ${row}.workspace_id, ${row}.hour, ${COUNT_COLUMNS.map((column) => countOf(column, `${row}.`, clicks)).join(', ')}
   WHERE ${row}.link_id <> ''
   ON CONFLICT (workspace_id, hour) DO UPDATE SET
   ${COUNT_COLUMNS.map((column) => `${column} = click_hourly_totals.${column} + excluded.${column}`).join(', ')}`;

const SAME_SERIES_ROW = `NEW.workspace_id = OLD.workspace_id AND NEW.link_id = OLD.link_id AND NEW.hour = OLD.hour
  AND NEW.traffic_class = OLD.traffic_class AND NEW.is_unique = OLD.is_unique`;

/**
 * Trigger DDL is the one part of a migration the engines do not share. Rollup cells are inserted
 * (a new cell) or have `clicks` changed (an existing cell; re-labels subtract and add); their key
 * columns never change today, and the re-key trigger keeps the series right should that ever happen.
 */
function triggerStatements(db: Kysely<unknown>): string[] {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) {
    return [
      `CREATE TRIGGER click_hourly_totals_insert AFTER INSERT ON click_rollups
       WHEN NEW.link_id <> '' BEGIN ${upsert('NEW', 'NEW.clicks')}; END`,
      `CREATE TRIGGER click_hourly_totals_count AFTER UPDATE OF clicks ON click_rollups
       WHEN NEW.link_id <> '' AND ${SAME_SERIES_ROW} BEGIN ${upsert('NEW', 'NEW.clicks - OLD.clicks')}; END`,
      `CREATE TRIGGER click_hourly_totals_rekey
       AFTER UPDATE OF workspace_id, link_id, hour, traffic_class, is_unique ON click_rollups
       WHEN NOT (${SAME_SERIES_ROW}) BEGIN
         ${upsert('OLD', '-OLD.clicks')};
         ${upsert('NEW', 'NEW.clicks')};
       END`,
      `CREATE TRIGGER click_hourly_totals_delete AFTER DELETE ON click_rollups
       WHEN OLD.link_id <> '' BEGIN ${upsert('OLD', '-OLD.clicks')}; END`,
    ];
  }
  if (adapter instanceof PostgresAdapter) {
    return [
      `CREATE FUNCTION click_hourly_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP IN ('UPDATE', 'DELETE') THEN ${upsert('OLD', '-OLD.clicks')}; END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN ${upsert('NEW', 'NEW.clicks')}; END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER click_hourly_totals_apply AFTER INSERT OR UPDATE OR DELETE ON click_rollups
       FOR EACH ROW EXECUTE FUNCTION click_hourly_totals_apply()`,
    ];
  }
  throw new Error('0004-query: no trigger DDL for this SQL dialect');
}
