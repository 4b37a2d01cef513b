import type { Kysely, Transaction } from 'kysely';
import type { StoreSchema } from './schema.js';

/**
 * One counter that grows with every change to links or domains — anything that changes what a
 * `Host` + alias resolves to. Edges in other processes poll it to know their cache went stale.
 */
const ROUTING_COUNTER = 'routing';

export async function bumpRoutingCounter(trx: Transaction<StoreSchema> | Kysely<StoreSchema>): Promise<void> {
  await trx
    .insertInto('change_counters')
    .values({ name: ROUTING_COUNTER, value: 1 })
    .onConflict((conflict) =>
      conflict.column('name').doUpdateSet((eb) => ({ value: eb('change_counters.value', '+', 1) })),
    )
    .execute();
}

export async function readRoutingCounter(db: Kysely<StoreSchema>): Promise<number> {
  const row = await db
    .selectFrom('change_counters')
    .select('value')
    .where('name', '=', ROUTING_COUNTER)
    .executeTakeFirst();
  return row ? Number(row.value) : 0;
}
