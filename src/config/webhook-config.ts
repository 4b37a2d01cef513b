import { boolean, ConfigError, type Env, integer } from './env-parsers.js';

/** The default retry schedule (DESIGN §1 stage 4): delays before attempts 2, 3, … in seconds. */
export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 30, 120, 600, 1800, 3600, 10_800, 21_600, 43_200, 86_400];

/** Longest request to a subscriber the configuration may allow, ms. */
export const MAX_WEBHOOK_TIMEOUT_MS = 30_000;

/** Least time a lease must outlast the longest a leased delivery can take (see `leaseMsOf`), ms. */
export const WEBHOOK_LEASE_MARGIN_MS = 5_000;

/** Longest lease the configuration may set, s. */
export const MAX_WEBHOOK_LEASE_SECONDS = 86_400;

/** Most steps a retry schedule may have (`max_attempts` tops out at 20: one first try plus 19 retries). */
export const MAX_RETRY_STEPS = 19;

/** How the dispatcher treats subscribers, read from `CLICKWIRE_WEBHOOK_*`. */
export interface WebhookConfig {
  /** Delays between attempts, ms: after the n-th failed attempt wait `retryScheduleMs[n-1]` (the last repeats). */
  readonly retryScheduleMs: readonly number[];
  /** A request that has not completed with a 2xx within this many ms is a failed attempt. */
  readonly timeoutMs: number;
  /**
   * How long a delivery claimed by a dispatcher stays reserved to it, ms: another dispatcher takes
   * over the deliveries of one that died this long after it claimed them.
   */
  readonly leaseMs: number;
  /** A subscription whose attempts have all failed for at least this long … */
  readonly pauseAfterMs: number;
  /** … and at least this many times in a row is paused (its events keep accumulating). */
  readonly pauseMinFailures: number;
  /** Requests in flight to one subscription at most. */
  readonly concurrencyPerSubscription: number;
  /** How often an idle dispatcher looks for new events, ms. */
  readonly idlePollMs: number;
  /**
   * Lift the SSRF guard and the https requirement, so subscribers on loopback or a private network
   * can be reached. For local development and tests only; the server logs a warning when it is on.
   */
  readonly allowPrivateAddresses: boolean;
}

/** Parses the webhook settings; throws a ConfigError naming the first bad variable. */
export function loadWebhookConfig(env: Env): WebhookConfig {
  const timeoutMs = integer(env, 'CLICKWIRE_WEBHOOK_TIMEOUT_MS', 5_000, 100, MAX_WEBHOOK_TIMEOUT_MS);
  return {
    retryScheduleMs: retrySchedule(env, 'CLICKWIRE_WEBHOOK_RETRY_SCHEDULE'),
    timeoutMs,
    leaseMs: leaseMsOf(env, 'CLICKWIRE_WEBHOOK_LEASE_SECONDS', timeoutMs),
    pauseAfterMs: integer(env, 'CLICKWIRE_WEBHOOK_PAUSE_AFTER_SECONDS', 3_600, 0, 30 * 86_400) * 1000,
    pauseMinFailures: integer(env, 'CLICKWIRE_WEBHOOK_PAUSE_MIN_FAILURES', 10, 1, 1_000_000),
    concurrencyPerSubscription: integer(env, 'CLICKWIRE_WEBHOOK_CONCURRENCY', 16, 1, 256),
    idlePollMs: integer(env, 'CLICKWIRE_WEBHOOK_IDLE_POLL_MS', 1, 1, 10_000),
    allowPrivateAddresses: boolean(env, 'CLICKWIRE_WEBHOOK_ALLOW_PRIVATE', false),
  };
}

/** `5,30,120,…`: 1 to 19 delays in seconds, each 1 s to 7 days, never shorter than the one before. */
function retrySchedule(env: Env, name: string): readonly number[] {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return DEFAULT_RETRY_SCHEDULE_SECONDS.map((s) => s * 1000);
  const allowed = `1 to ${MAX_RETRY_STEPS} comma-separated delays in seconds (1 to 604800), each at least the one before`;
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length > MAX_RETRY_STEPS || parts.some((part) => !/^\d+$/.test(part)))
    throw new ConfigError(name, allowed, value);
  const seconds = parts.map(Number);
  const valid = seconds.every((s, i) => s >= 1 && s <= 604_800 && (i === 0 || s >= seconds[i - 1]!));
  if (!valid) throw new ConfigError(name, allowed, value);
  return seconds.map((s) => s * 1000);
}

/**
 * The lease, from whole seconds; by default 60 s + 4 × the request timeout. A dispatcher holds at
 * most two rounds of requests per subscription when the lease is short (`Dispatcher.budget`), so a
 * leased delivery may wait up to one timeout for its slot and take another for its own attempt:
 * the lease must outlast both, plus a margin for recording the attempt and for clock differences
 * between hosts, or a second dispatcher could send a delivery the first is still sending.
 */
function leaseMsOf(env: Env, name: string, timeoutMs: number): number {
  const fallback = 60_000 + 4 * timeoutMs;
  if (env[name] === undefined || env[name]?.trim() === '') return fallback;
  const least = Math.ceil((2 * timeoutMs + WEBHOOK_LEASE_MARGIN_MS) / 1000);
  const allowed = `an integer from ${least} to ${MAX_WEBHOOK_LEASE_SECONDS} (at least 2 × CLICKWIRE_WEBHOOK_TIMEOUT_MS + ${WEBHOOK_LEASE_MARGIN_MS / 1000} s)`;
  const value = env[name]!.trim();
  if (!/^\d+$/.test(value)) throw new ConfigError(name, allowed, value);
  const seconds = Number(value);
  if (seconds < least || seconds > MAX_WEBHOOK_LEASE_SECONDS) throw new ConfigError(name, allowed, value);
  return seconds * 1000;
}
