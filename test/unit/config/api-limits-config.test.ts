import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { ConfigError } from '../../../src/config/env-parsers.js';

describe('rate limit and stream settings', () => {
  it('have defaults', () => {
    const config = loadConfig({});
    expect(config.apiRateLimit).toEqual({ windowMs: 60_000, raw: 6000, aggregate: 600 });
    expect(config.stream).toEqual({ pollMs: 250, heartbeatMs: 15_000, maxBufferedEvents: 5000 });
  });

  it('are read from the environment', () => {
    const config = loadConfig({
      CLICKWIRE_API_RATE_LIMIT_WINDOW_MS: '1000',
      CLICKWIRE_API_RATE_LIMIT_RAW: '10',
      CLICKWIRE_API_RATE_LIMIT_AGGREGATE: '2',
      CLICKWIRE_STREAM_POLL_MS: '50',
      CLICKWIRE_STREAM_HEARTBEAT_MS: '100',
      CLICKWIRE_STREAM_MAX_BUFFERED_EVENTS: '7',
    });
    expect(config.apiRateLimit).toEqual({ windowMs: 1000, raw: 10, aggregate: 2 });
    expect(config.stream).toEqual({ pollMs: 50, heartbeatMs: 100, maxBufferedEvents: 7 });
  });

  it.each([
    ['CLICKWIRE_API_RATE_LIMIT_WINDOW_MS', '999'],
    ['CLICKWIRE_API_RATE_LIMIT_RAW', '0'],
    ['CLICKWIRE_API_RATE_LIMIT_AGGREGATE', 'many'],
    ['CLICKWIRE_STREAM_POLL_MS', '5'],
    ['CLICKWIRE_STREAM_HEARTBEAT_MS', '-1'],
    ['CLICKWIRE_STREAM_MAX_BUFFERED_EVENTS', '1.5'],
  ])('stop the start naming %s for %s', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(variable);
  });
});
