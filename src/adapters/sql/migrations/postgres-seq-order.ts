import { type Kysely, PostgresAdapter, sql } from 'kysely';

/** Whether a migration runs on PostgreSQL (the one place migrations branch on the dialect). */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Key of the transaction-scoped advisory lock behind `seq` order on PostgreSQL; any 64-bit number
 * kept for this purpose ("cw-seq" in hex).
 */
const SEQ_ORDER_LOCK = '109363514795377';

/**
 * PostgreSQL: makes every insert into `table` wait for, and hold until its transaction ends, one
 * advisory lock shared by all `seq`-numbered tables (clicks, events).
 *
 * Why: the SQL adapters read "everything up to the highest `seq`" (the dispatcher's cursor, the
 * click list's and event feed's horizons). A sequence hands numbers out at insert time, not at
 * commit, so with several writing processes seq 11 can be visible while seq 10 is still in flight
 * — a cursor moved past 10 would never see it. Holding the lock from the first such insert to
 * commit makes `seq` order commit order, as SQLite's single writer does. The trigger fires before
 * the statement's rows (and their `nextval`) are formed. Writers should insert into these tables
 * late in their transactions: the lock is held until commit.
 */
export async function lockSeqOrderOnInsert(db: Kysely<unknown>, table: string): Promise<void> {
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION clickwire_seq_order_lock() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_advisory_xact_lock(${SEQ_ORDER_LOCK}); RETURN NULL; END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${table}_seq_order BEFORE INSERT ON ${table}
       FOR EACH STATEMENT EXECUTE FUNCTION clickwire_seq_order_lock()`,
    )
    .execute(db);
}
