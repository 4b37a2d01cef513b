import type { RateBudget, RateDecision, RateLimiter } from '../../api/rate-limit/rate-limiter.js';

interface Window {
  readonly start: number;
  readonly end: number;
  count: number;
}

/**
 * Fixed windows counted in this process: windows start at multiples of `windowMs` (epoch-aligned),
 * so every key's reset instant is the same and predictable, and one counter per key and budget is
 * all the state there is. Ended windows are swept when the table grows, which keeps memory bounded
 * by the keys active within one window.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private sweepAt = 1024;

  async take(key: string, budget: RateBudget, now: number): Promise<RateDecision> {
    const start = now - (now % budget.windowMs);
    const id = `${budget.name}\u0000${key}`;
    let window = this.windows.get(id);
    if (!window || window.start !== start) {
      window = { start, end: start + budget.windowMs, count: 0 };
      this.windows.set(id, window);
      if (this.windows.size >= this.sweepAt) this.sweep(now);
    }
    window.count++;
    const allowed = window.count <= budget.limit;
    return {
      allowed,
      limit: budget.limit,
      remaining: Math.max(0, budget.limit - window.count),
      resetAt: window.end,
    };
  }

  /** Drops windows that have ended; the next sweep waits until the table has doubled again. */
  private sweep(now: number): void {
    for (const [id, window] of this.windows) if (window.end <= now) this.windows.delete(id);
    this.sweepAt = Math.max(1024, this.windows.size * 2);
  }
}
