import path from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../kernel/logger.js';
import { type DatabaseConfig, loadDatabaseConfig } from './database-config.js';
import {
  cidrList,
  type Env,
  integer,
  oneOf,
  optionalHttpUrl,
  optionalSecret,
  port,
  text,
} from './env-parsers.js';
import { loadNatsConfig, type NatsConfig } from './nats-config.js';
import { loadWebhookConfig, type WebhookConfig } from './webhook-config.js';

/**
 * How hard a captured click is held before its redirect is answered.
 * - `process`: committed to the SQLite WAL; survives a crash or SIGKILL of the process (default).
 * - `power`: fsync on every group commit; also survives power loss, at roughly 0.55–0.8× throughput.
 */
export const CAPTURE_DURABILITIES = ['process', 'power'] as const;
export type CaptureDurability = (typeof CAPTURE_DURABILITIES)[number];

/** Everything Clickwire reads from its environment, parsed once at start. */
export interface Config {
  readonly host: string;
  readonly edgePort: number;
  readonly apiPort: number;
  /**
   * `CLICKWIRE_PUBLIC_URL`: base of short URLs on the default domain as people see it (no trailing
   * slash), or `null` when not set — see `publicUrlOf`.
   */
  readonly publicUrl: string | null;
  readonly dataDir: string;
  readonly bootstrapApiKey: string | null;
  readonly logLevel: LogLevel;
  /** Addresses/CIDRs whose `X-Forwarded-For` is believed. Empty: the socket address is the client. */
  readonly trustedProxies: readonly string[];
  readonly captureDurability: CaptureDurability;
  /**
   * Derive network facts and commit clicks on a capture thread (default), beside the thread that
   * answers redirects; `false` does it on the request thread (one core, fewer threads).
   */
  readonly captureThread: boolean;
  /** Most clicks one group commit writes; more wait for the next commit. */
  readonly captureMaxBatch: number;
  /** Largest API request body accepted, bytes. */
  readonly apiMaxBodyBytes: number;
  /** Most click-log entries the processor handles in one transaction. */
  readonly processorBatchSize: number;
  /** How often an idle processor looks for new clicks, ms. */
  readonly processorIdlePollMs: number;
  /** How long SIGTERM waits for in-flight requests and commits before exiting anyway. */
  readonly shutdownTimeoutMs: number;
  /** The dispatcher's settings (`CLICKWIRE_WEBHOOK_*`). */
  readonly webhooks: WebhookConfig;
  /** `CLICKWIRE_NATS_*`: the click log is a JetStream stream when set, else the embedded log (`null`). */
  readonly nats: NatsConfig | null;
  /** `CLICKWIRE_DATABASE_*`: the store is PostgreSQL when set, else the embedded SQLite files (`null`). */
  readonly database: DatabaseConfig | null;
  /** Per-API-key request budgets (`CLICKWIRE_API_RATE_LIMIT_*`); see docs/adr/2026-11-28-api-rate-limits.md. */
  readonly apiRateLimit: ApiRateLimitConfig;
  /** `GET /v1/stream/clicks` (`CLICKWIRE_STREAM_*`). */
  readonly stream: StreamConfig;
}

export interface ApiRateLimitConfig {
  /** Length of one fixed window, ms. */
  readonly windowMs: number;
  /** Requests per key and window to raw routes (everything but the analytics routes). */
  readonly raw: number;
  /** Requests per key and window to aggregate routes (`/v1/analytics/…`). */
  readonly aggregate: number;
}

export interface StreamConfig {
  /** How often the process's one shared poll looks for newly stored clicks, ms. */
  readonly pollMs: number;
  /** A comment line is sent after this long without an event, ms, so proxies keep the connection. */
  readonly heartbeatMs: number;
  /** Events a stream may have waiting for a slow reader (besides its socket's buffer); one more and it is dropped. */
  readonly maxBufferedEvents: number;
}

/** Minimum length of an operator-supplied bootstrap key (DESIGN §3). */
export const MIN_BOOTSTRAP_KEY_LENGTH = 32;

/** Parses and validates the `CLICKWIRE_*` variables; throws a ConfigError naming the first bad one. */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  return {
    host: text(env, 'CLICKWIRE_HOST', '127.0.0.1'),
    edgePort: port(env, 'CLICKWIRE_EDGE_PORT', 8080),
    apiPort: port(env, 'CLICKWIRE_API_PORT', 8081),
    publicUrl: optionalHttpUrl(env, 'CLICKWIRE_PUBLIC_URL')?.replace(/\/+$/, '') ?? null,
    dataDir: path.resolve(cwd, text(env, 'CLICKWIRE_DATA_DIR', './data')),
    bootstrapApiKey: optionalSecret(env, 'CLICKWIRE_BOOTSTRAP_API_KEY', MIN_BOOTSTRAP_KEY_LENGTH),
    logLevel: oneOf(env, 'CLICKWIRE_LOG_LEVEL', LOG_LEVELS, 'info'),
    trustedProxies: cidrList(env, 'CLICKWIRE_TRUSTED_PROXIES'),
    captureDurability: oneOf(env, 'CLICKWIRE_CAPTURE_DURABILITY', CAPTURE_DURABILITIES, 'process'),
    captureThread: oneOf(env, 'CLICKWIRE_CAPTURE_THREAD', ['true', 'false'], 'true') === 'true',
    captureMaxBatch: integer(env, 'CLICKWIRE_CAPTURE_MAX_BATCH', 1000, 1, 100_000),
    apiMaxBodyBytes: integer(env, 'CLICKWIRE_API_MAX_BODY_BYTES', 1_048_576, 1024, 16 * 1_048_576),
    processorBatchSize: integer(env, 'CLICKWIRE_PROCESSOR_BATCH_SIZE', 500, 1, 10_000),
    // 1 ms: a click waits on average half this before processing starts (bench:webhooks latency); an
    // idle look is one indexed read of the click log, a few µs.
    processorIdlePollMs: integer(env, 'CLICKWIRE_PROCESSOR_IDLE_POLL_MS', 1, 1, 10_000),
    shutdownTimeoutMs: integer(env, 'CLICKWIRE_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    webhooks: loadWebhookConfig(env),
    nats: loadNatsConfig(env),
    database: loadDatabaseConfig(env),
    apiRateLimit: {
      windowMs: integer(env, 'CLICKWIRE_API_RATE_LIMIT_WINDOW_MS', 60_000, 1000, 3_600_000),
      raw: integer(env, 'CLICKWIRE_API_RATE_LIMIT_RAW', 6000, 1, 1_000_000),
      aggregate: integer(env, 'CLICKWIRE_API_RATE_LIMIT_AGGREGATE', 600, 1, 1_000_000),
    },
    stream: {
      pollMs: integer(env, 'CLICKWIRE_STREAM_POLL_MS', 250, 10, 60_000),
      heartbeatMs: integer(env, 'CLICKWIRE_STREAM_HEARTBEAT_MS', 15_000, 10, 300_000),
      maxBufferedEvents: integer(env, 'CLICKWIRE_STREAM_MAX_BUFFERED_EVENTS', 5000, 1, 1_000_000),
    },
  };
}
