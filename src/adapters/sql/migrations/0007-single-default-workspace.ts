import { type Kysely, sql } from 'kysely';

/**
 * At most one default workspace. Bootstrap ("no default workspace yet? create it") runs in every
 * process that starts; processes started together on an empty store (scale-out) could each create
 * one. With this index the second insert fails, and bootstrap takes the one that won.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('workspaces_one_default')
    .on('workspaces')
    .column('is_default')
    .unique()
    .where(sql.ref('is_default'), '=', sql.lit(1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('workspaces_one_default').execute();
}
