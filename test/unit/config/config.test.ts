import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { publicUrlOf } from '../../../src/config/public-url.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({}, '/srv/clickwire');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      edgePort: 8080,
      apiPort: 8081,
      dataDir: path.resolve('/srv/clickwire', 'data'),
      bootstrapApiKey: null,
      logLevel: 'info',
      trustedProxies: [],
      captureDurability: 'process',
      publicUrl: null,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      CLICKWIRE_HOST: '0.0.0.0',
      CLICKWIRE_EDGE_PORT: '80',
      CLICKWIRE_API_PORT: '9000',
      CLICKWIRE_DATA_DIR: '/var/lib/clickwire',
      CLICKWIRE_BOOTSTRAP_API_KEY: 'k'.repeat(40),
      CLICKWIRE_LOG_LEVEL: 'DEBUG',
      CLICKWIRE_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7 ,2001:db8::/32',
      CLICKWIRE_CAPTURE_DURABILITY: 'power',
      CLICKWIRE_PUBLIC_URL: 'https://clk.example.com/',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      edgePort: 80,
      apiPort: 9000,
      dataDir: '/var/lib/clickwire',
      bootstrapApiKey: 'k'.repeat(40),
      logLevel: 'debug',
      trustedProxies: ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'],
      captureDurability: 'power',
      publicUrl: 'https://clk.example.com',
    });
  });

  it.each([
    ['CLICKWIRE_EDGE_PORT', 'http', /CLICKWIRE_EDGE_PORT.*integer from 0 to 65535/],
    ['CLICKWIRE_API_PORT', '70000', /CLICKWIRE_API_PORT.*integer from 0 to 65535/],
    ['CLICKWIRE_LOG_LEVEL', 'loud', /CLICKWIRE_LOG_LEVEL.*one of fatal, error/],
    ['CLICKWIRE_BOOTSTRAP_API_KEY', 'short', /CLICKWIRE_BOOTSTRAP_API_KEY.*at least 32 characters/],
    ['CLICKWIRE_TRUSTED_PROXIES', '10.0.0.0/33', /CLICKWIRE_TRUSTED_PROXIES.*CIDR/],
    ['CLICKWIRE_CAPTURE_DURABILITY', 'eventually', /CLICKWIRE_CAPTURE_DURABILITY.*process, power/],
    ['CLICKWIRE_PUBLIC_URL', 'ftp://x', /CLICKWIRE_PUBLIC_URL.*http\(s\) URL/],
  ])('stops on a bad %s with a one-line message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('\n');
    }
  });

  it('never echoes a bad bootstrap key in full', () => {
    expect(() =>
      loadConfig({ CLICKWIRE_BOOTSTRAP_API_KEY: 'secret with spaces that is long enough' }),
    ).toThrow(/"secr…"/);
  });
});

describe('public URL of the default domain', () => {
  const base = loadConfig({});
  it('is the configured one when set', () => {
    expect(publicUrlOf({ ...base, publicUrl: 'https://clk.example.com' }, 4000)).toBe(
      'https://clk.example.com',
    );
  });
  it('otherwise names the edge, with the port it is really bound to', () => {
    expect(publicUrlOf(base)).toBe('http://127.0.0.1:8080');
    expect(publicUrlOf({ ...base, edgePort: 0 }, 41234)).toBe('http://127.0.0.1:41234');
  });
  it('brackets IPv6 hosts and replaces wildcard addresses', () => {
    expect(publicUrlOf({ ...base, host: '::1' })).toBe('http://[::1]:8080');
    expect(publicUrlOf({ ...base, host: '0.0.0.0' })).toBe('http://localhost:8080');
    expect(publicUrlOf({ ...base, host: '::' })).toBe('http://localhost:8080');
  });
});

describe('webhook configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({}).webhooks).toEqual({
      retryScheduleMs: [
        5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
      ],
      timeoutMs: 5_000,
      leaseMs: 80_000,
      pauseAfterMs: 3_600_000,
      pauseMinFailures: 10,
      concurrencyPerSubscription: 16,
      idlePollMs: 1,
      allowPrivateAddresses: false,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        CLICKWIRE_WEBHOOK_RETRY_SCHEDULE: '1, 1, 60',
        CLICKWIRE_WEBHOOK_TIMEOUT_MS: '30000',
        CLICKWIRE_WEBHOOK_LEASE_SECONDS: '90',
        CLICKWIRE_WEBHOOK_PAUSE_AFTER_SECONDS: '600',
        CLICKWIRE_WEBHOOK_PAUSE_MIN_FAILURES: '3',
        CLICKWIRE_WEBHOOK_CONCURRENCY: '4',
        CLICKWIRE_WEBHOOK_IDLE_POLL_MS: '10',
        CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'TRUE',
      }).webhooks,
    ).toEqual({
      retryScheduleMs: [1_000, 1_000, 60_000],
      timeoutMs: 30_000,
      leaseMs: 90_000,
      pauseAfterMs: 600_000,
      pauseMinFailures: 3,
      concurrencyPerSubscription: 4,
      idlePollMs: 10,
      allowPrivateAddresses: true,
    });
  });

  it.each([
    [
      'CLICKWIRE_WEBHOOK_RETRY_SCHEDULE',
      '5,30,two',
      /CLICKWIRE_WEBHOOK_RETRY_SCHEDULE.*comma-separated delays/,
    ],
    ['CLICKWIRE_WEBHOOK_RETRY_SCHEDULE', '30,5', /each at least the one before/],
    ['CLICKWIRE_WEBHOOK_RETRY_SCHEDULE', '0,5', /CLICKWIRE_WEBHOOK_RETRY_SCHEDULE/],
    ['CLICKWIRE_WEBHOOK_RETRY_SCHEDULE', Array(20).fill('1').join(','), /1 to 19/],
    ['CLICKWIRE_WEBHOOK_RETRY_SCHEDULE', '604801', /604800/],
    ['CLICKWIRE_WEBHOOK_TIMEOUT_MS', '30001', /CLICKWIRE_WEBHOOK_TIMEOUT_MS.*100 to 30000/],
    ['CLICKWIRE_WEBHOOK_TIMEOUT_MS', '5s', /CLICKWIRE_WEBHOOK_TIMEOUT_MS/],
    ['CLICKWIRE_WEBHOOK_PAUSE_MIN_FAILURES', '0', /CLICKWIRE_WEBHOOK_PAUSE_MIN_FAILURES/],
    ['CLICKWIRE_WEBHOOK_LEASE_SECONDS', '14', /CLICKWIRE_WEBHOOK_LEASE_SECONDS.*from 15 to 86400/],
    ['CLICKWIRE_WEBHOOK_LEASE_SECONDS', '86401', /CLICKWIRE_WEBHOOK_LEASE_SECONDS.*from 15 to 86400/],
    ['CLICKWIRE_WEBHOOK_LEASE_SECONDS', '60s', /CLICKWIRE_WEBHOOK_LEASE_SECONDS/],
    ['CLICKWIRE_WEBHOOK_LEASE_SECONDS', '-20', /CLICKWIRE_WEBHOOK_LEASE_SECONDS/],
    ['CLICKWIRE_WEBHOOK_ALLOW_PRIVATE', 'yes', /CLICKWIRE_WEBHOOK_ALLOW_PRIVATE.*true or false/],
  ])('stops on a bad %s=%s with one line', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('\n');
    }
  });

  describe('the delivery lease', () => {
    const lease = (env: Record<string, string>) => loadConfig(env).webhooks.leaseMs;

    it('defaults to 60 s plus four request timeouts', () => {
      expect(lease({ CLICKWIRE_WEBHOOK_TIMEOUT_MS: '30000' })).toBe(180_000);
      expect(lease({ CLICKWIRE_WEBHOOK_TIMEOUT_MS: '100' })).toBe(60_400);
      expect(lease({ CLICKWIRE_WEBHOOK_LEASE_SECONDS: ' ' })).toBe(80_000);
    });

    it('may be as short as two request timeouts plus 5 s, rounded up to the second', () => {
      expect(lease({ CLICKWIRE_WEBHOOK_LEASE_SECONDS: '15' })).toBe(15_000);
      expect(lease({ CLICKWIRE_WEBHOOK_TIMEOUT_MS: '1000', CLICKWIRE_WEBHOOK_LEASE_SECONDS: '7' })).toBe(
        7_000,
      );
      expect(lease({ CLICKWIRE_WEBHOOK_TIMEOUT_MS: '1100', CLICKWIRE_WEBHOOK_LEASE_SECONDS: '8' })).toBe(
        8_000,
      );
      expect(() =>
        lease({ CLICKWIRE_WEBHOOK_TIMEOUT_MS: '1100', CLICKWIRE_WEBHOOK_LEASE_SECONDS: '7' }),
      ).toThrow(/from 8 to/);
    });

    it('is checked against the configured request timeout, in one line naming the lease', () => {
      const env = { CLICKWIRE_WEBHOOK_TIMEOUT_MS: '30000', CLICKWIRE_WEBHOOK_LEASE_SECONDS: '64' };
      expect(() => loadConfig(env)).toThrow(
        'CLICKWIRE_WEBHOOK_LEASE_SECONDS="64" is not valid: expected an integer from 65 to 86400 ' +
          '(at least 2 × CLICKWIRE_WEBHOOK_TIMEOUT_MS + 5 s)',
      );
      expect(lease({ ...env, CLICKWIRE_WEBHOOK_LEASE_SECONDS: '65' })).toBe(65_000);
    });
  });
});
