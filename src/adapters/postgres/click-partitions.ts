import { type Kysely, sql } from 'kysely';
import type { StoreSchema } from '../sql/schema.js';

/** Key of the advisory lock partition maintenance runs under ("cw-part" in hex). */
const MAINTENANCE_LOCK = '27997059737023092';

const DAY_MS = 86_400_000;

/** A month's range partition of `clicks`: `[from, to)` in epoch ms of `occurred_at`, UTC months. */
export interface ClickPartition {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/** The partition holding `at`'s UTC month, `offset` months later. */
export function monthPartition(at: number, offset = 0): ClickPartition {
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + offset;
  const from = Date.UTC(year, month, 1);
  const to = Date.UTC(year, month + 1, 1);
  const start = new Date(from);
  const name = `clicks_p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  return { name, from, to };
}

/**
 * Maintenance of the time-partitioned `clicks` table on PostgreSQL (migration 0002): monthly range
 * partitions created ahead of the clicks that will land in them, and whole months dropped once no
 * workspace keeps raw clicks that old.
 *
 * The table has a default partition, so a click outside every month partition (a clock far off, a
 * backfill) is still stored; when a month partition is created for a range the default already
 * holds rows of, those rows move into it in the same transaction. Every step runs under one
 * advisory lock: processes starting or maintaining at once take turns instead of colliding on DDL.
 */
export class ClickPartitions {
  constructor(private readonly db: Kysely<StoreSchema>) {}

  /** Creates the partitions of last month, this month and `monthsAhead` more; returns those created. */
  async ensure(now: number, monthsAhead = 2): Promise<string[]> {
    const created: string[] = [];
    for (let offset = -1; offset <= monthsAhead; offset++) {
      const partition = monthPartition(now, offset);
      if (await this.create(partition)) created.push(partition.name);
    }
    return created;
  }

  /**
   * Drops month partitions that end at or before `before` (whole months only, with every
   * workspace's clicks in them). Per-workspace retention shorter than that is the retention job's
   * deletes; this is what keeps the table from growing forever at the cost of a `DROP`, not a scan.
   */
  async dropBefore(before: number): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${sql.raw(MAINTENANCE_LOCK)})`.execute(trx);
      const dropped: string[] = [];
      for (const partition of await listPartitions(trx)) {
        if (partition.to > before) continue;
        await sql`DROP TABLE ${sql.id(partition.name)}`.execute(trx);
        dropped.push(partition.name);
      }
      return dropped;
    });
  }

  /**
   * Drops the month partitions no workspace's raw-click retention reaches any more (the longest
   * retention decides); nothing when a workspace keeps raw clicks without limit or none exist.
   */
  async dropExpired(now: number): Promise<string[]> {
    const row = await sql<{ days: number | null; unlimited: number }>`
      SELECT max(raw_click_retention_days) AS days,
             count(*) FILTER (WHERE raw_click_retention_days IS NULL OR raw_click_retention_days <= 0) AS unlimited
      FROM workspaces`.execute(this.db);
    const { days, unlimited } = row.rows[0] ?? { days: null, unlimited: 0 };
    if (days === null || Number(unlimited) > 0) return [];
    return this.dropBefore(now - Number(days) * DAY_MS);
  }

  /** Creates one month partition unless it exists, moving rows of its range out of the default. */
  private async create(partition: ClickPartition): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${sql.raw(MAINTENANCE_LOCK)})`.execute(trx);
      const exists = await sql<{
        found: string | null;
      }>`SELECT to_regclass(${partition.name})::text AS found`.execute(trx);
      if (exists.rows[0]?.found) return false;
      const table = sql.id(partition.name);
      const range = sql`FROM (${sql.lit(partition.from)}) TO (${sql.lit(partition.to)})`;
      const strays = await sql`SELECT 1 FROM clicks_default
        WHERE occurred_at >= ${partition.from} AND occurred_at < ${partition.to} LIMIT 1`.execute(trx);
      if (strays.rows.length === 0) {
        await sql`CREATE TABLE ${table} PARTITION OF clicks FOR VALUES ${range}`.execute(trx);
        return true;
      }
      await sql`CREATE TABLE ${table} (LIKE clicks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(trx);
      await sql`INSERT INTO ${table} SELECT * FROM clicks_default
        WHERE occurred_at >= ${partition.from} AND occurred_at < ${partition.to}`.execute(trx);
      await sql`DELETE FROM clicks_default
        WHERE occurred_at >= ${partition.from} AND occurred_at < ${partition.to}`.execute(trx);
      await sql`ALTER TABLE clicks ATTACH PARTITION ${table} FOR VALUES ${range}`.execute(trx);
      return true;
    });
  }
}

/** The month partitions of `clicks` that exist, from their names (`clicks_pYYYYMM`). */
async function listPartitions(db: Kysely<StoreSchema>): Promise<ClickPartition[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'clicks'::regclass AND c.relname ~ '^clicks_p[0-9]{6}$'`.execute(db);
  return rows.map(({ name }) => {
    const year = Number(name.slice(8, 12));
    const month = Number(name.slice(12, 14)) - 1;
    return { name, from: Date.UTC(year, month, 1), to: Date.UTC(year, month + 1, 1) };
  });
}
