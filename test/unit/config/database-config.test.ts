import { describe, expect, it } from 'vitest';
import { loadDatabaseConfig } from '../../../src/config/database-config.js';
import { ConfigError } from '../../../src/config/env-parsers.js';

describe('CLICKWIRE_DATABASE_*', () => {
  it('is off (embedded SQLite) without a URL', () => {
    expect(loadDatabaseConfig({})).toBeNull();
    expect(loadDatabaseConfig({ CLICKWIRE_DATABASE_URL: '  ' })).toBeNull();
  });

  it('takes a postgres URL with pool size and synchronous commit', () => {
    expect(loadDatabaseConfig({ CLICKWIRE_DATABASE_URL: 'postgres://cw:pw@db:5432/clickwire' })).toEqual({
      url: 'postgres://cw:pw@db:5432/clickwire',
      poolSize: 10,
      synchronousCommit: 'on',
    });
    expect(
      loadDatabaseConfig({
        CLICKWIRE_DATABASE_URL: 'postgresql://db/clickwire',
        CLICKWIRE_DATABASE_POOL_SIZE: '25',
        CLICKWIRE_DATABASE_SYNCHRONOUS_COMMIT: 'off',
      }),
    ).toMatchObject({ poolSize: 25, synchronousCommit: 'off' });
  });

  it('refuses other schemes, a missing host and bad settings, without echoing the password', () => {
    for (const url of ['mysql://db/x', 'postgres:///x', 'not a url', 'nats://127.0.0.1:4222']) {
      expect(() => loadDatabaseConfig({ CLICKWIRE_DATABASE_URL: url })).toThrow(ConfigError);
    }
    expect(() => loadDatabaseConfig({ CLICKWIRE_DATABASE_URL: 'mysql://cw:hunter2@db/x' })).toThrow(
      /cw:\*\*\*@db/,
    );
    const ok = { CLICKWIRE_DATABASE_URL: 'postgres://db/x' };
    expect(() => loadDatabaseConfig({ ...ok, CLICKWIRE_DATABASE_POOL_SIZE: '0' })).toThrow(ConfigError);
    expect(() => loadDatabaseConfig({ ...ok, CLICKWIRE_DATABASE_SYNCHRONOUS_COMMIT: 'local' })).toThrow(
      ConfigError,
    );
  });
});
