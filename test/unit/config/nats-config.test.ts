import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { ConfigError } from '../../../src/config/env-parsers.js';
import { loadNatsConfig } from '../../../src/config/nats-config.js';

describe('CLICKWIRE_NATS_* configuration', () => {
  it('leaves the embedded click log in place when CLICKWIRE_NATS_URL is not set', () => {
    expect(loadConfig({}).nats).toBeNull();
    expect(loadNatsConfig({ CLICKWIRE_NATS_URL: '  ' })).toBeNull();
  });

  it('has defaults for everything but the server', () => {
    expect(loadNatsConfig({ CLICKWIRE_NATS_URL: 'nats://127.0.0.1:4222' })).toEqual({
      servers: ['nats://127.0.0.1:4222'],
      user: null,
      pass: null,
      token: null,
      stream: 'CLICKWIRE_CLICKS',
      subjectPrefix: 'clickwire.clicks',
      partitions: 16,
      replicas: 1,
      ackWaitMs: 30_000,
      maxAckPending: 20_000,
      maxAgeMs: 7 * 86_400_000,
    });
  });

  it('reads a cluster, credentials and every setting', () => {
    const config = loadNatsConfig({
      CLICKWIRE_NATS_URL: 'nats://app:s%40cret@nats-1:4222, tls://nats-2',
      CLICKWIRE_NATS_STREAM: 'CLICKS_EU',
      CLICKWIRE_NATS_SUBJECT_PREFIX: 'eu.clicks',
      CLICKWIRE_NATS_PARTITIONS: '64',
      CLICKWIRE_NATS_REPLICAS: '3',
      CLICKWIRE_NATS_ACK_WAIT_MS: '60000',
      CLICKWIRE_NATS_MAX_ACK_PENDING: '5000',
      CLICKWIRE_NATS_MAX_AGE_HOURS: '24',
    });
    expect(config).toEqual({
      servers: ['nats://nats-1:4222', 'tls://nats-2:4222'],
      user: 'app',
      pass: 's@cret',
      token: null,
      stream: 'CLICKS_EU',
      subjectPrefix: 'eu.clicks',
      partitions: 64,
      replicas: 3,
      ackWaitMs: 60_000,
      maxAckPending: 5000,
      maxAgeMs: 86_400_000,
    });
    expect(loadNatsConfig({ CLICKWIRE_NATS_URL: 'nats://t0ken@nats-1:4222' })?.token).toBe('t0ken');
  });

  it.each([
    ['CLICKWIRE_NATS_URL', 'http://127.0.0.1:4222'],
    ['CLICKWIRE_NATS_URL', 'nats://127.0.0.1:4222/path'],
    ['CLICKWIRE_NATS_URL', 'nats://127.0.0.1:4222,'],
    ['CLICKWIRE_NATS_URL', '127.0.0.1:4222'],
    ['CLICKWIRE_NATS_STREAM', 'clicks.eu'],
    ['CLICKWIRE_NATS_SUBJECT_PREFIX', 'clicks.*'],
    ['CLICKWIRE_NATS_SUBJECT_PREFIX', 'clicks.'],
    ['CLICKWIRE_NATS_PARTITIONS', '0'],
    ['CLICKWIRE_NATS_REPLICAS', '7'],
    ['CLICKWIRE_NATS_ACK_WAIT_MS', '10'],
    ['CLICKWIRE_NATS_MAX_AGE_HOURS', '0'],
  ])('refuses %s=%s', (variable, value) => {
    const env = { CLICKWIRE_NATS_URL: 'nats://127.0.0.1:4222', [variable]: value };
    expect(() => loadNatsConfig(env)).toThrow(ConfigError);
    expect(() => loadNatsConfig(env)).toThrow(variable);
  });

  it('never repeats a password in its error', () => {
    expect(() => loadNatsConfig({ CLICKWIRE_NATS_URL: 'http://app:hunter2@nats-1:4222' })).toThrow(
      /^(?!.*hunter2)/,
    );
    expect(() => loadNatsConfig({ CLICKWIRE_NATS_URL: 'nats://app:hunter2@nats 1:4222' })).toThrow(
      /^(?!.*hunter2)/,
    );
  });
});
