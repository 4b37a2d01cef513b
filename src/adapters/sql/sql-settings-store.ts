import type { SettingsStore } from '../../settings/settings-store.js';
import type { SqlEngine } from './sql-engine.js';

export class SqlSettingsStore implements SettingsStore {
  constructor(private readonly engine: SqlEngine) {}

  async getOrCreate(name: string, candidate: string): Promise<string> {
    await this.engine.db
      .insertInto('instance_settings')
      .values({ name, value: candidate })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const row = await this.engine.db
      .selectFrom('instance_settings')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.value;
  }
}
