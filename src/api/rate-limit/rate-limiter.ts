/** A request budget: at most `limit` requests per key in each window of `windowMs`. */
export interface RateBudget {
  /** Names the budget, so one key's raw and aggregate requests are counted apart. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** The answer to "may this key make one more request?", with what the `RateLimit-*` headers say. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests left in the current window after this one (0 when refused). */
  readonly remaining: number;
  /** When the current window ends, epoch ms: the budget is full again then. */
  readonly resetAt: number;
}

/**
 * Port: counts requests per key against a budget. The embedded mode keeps the counts in the
 * process (`MemoryRateLimiter`); several API processes behind one address would share a store
 * (Redis, PostgreSQL) behind this same interface, hence the promise.
 *
 * What must stay true: `take` counts the request it is asked about, also when it refuses it, only
 * once; a refused request never makes the window longer.
 */
export interface RateLimiter {
  /** Counts one request of `key` against `budget` at `now` (epoch ms) and says whether it may go on. */
  take(key: string, budget: RateBudget, now: number): Promise<RateDecision>;
}
