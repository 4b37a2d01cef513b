import type { IpSaltStore } from '../../privacy/ip-salt-store.js';
import type { SqlEngine } from './sql-engine.js';

export class SqlIpSaltStore implements IpSaltStore {
  constructor(private readonly engine: SqlEngine) {}

  async getOrCreate(workspaceId: string, day: string, candidate: string, at: number): Promise<string> {
    // Insert-if-absent then read back: whichever process won the race, everyone uses its salt.
    await this.engine.db
      .insertInto('ip_salts')
      .values({ workspace_id: workspaceId, day, salt: candidate, created_at: at })
      .onConflict((conflict) => conflict.columns(['workspace_id', 'day']).doNothing())
      .execute();
    const row = await this.engine.db
      .selectFrom('ip_salts')
      .select('salt')
      .where('workspace_id', '=', workspaceId)
      .where('day', '=', day)
      .executeTakeFirstOrThrow();
    return row.salt;
  }

  async held(workspaceId: string): Promise<{ day: string; salt: string }[]> {
    return this.engine.db
      .selectFrom('ip_salts')
      .select(['day', 'salt'])
      .where('workspace_id', '=', workspaceId)
      .orderBy('day')
      .execute();
  }

  async deleteBefore(day: string): Promise<number> {
    const result = await this.engine.db.deleteFrom('ip_salts').where('day', '<', day).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
