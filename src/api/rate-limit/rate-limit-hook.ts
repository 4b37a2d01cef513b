import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiRateLimitConfig } from '../../config/config.js';
import type { Clock } from '../../kernel/clock.js';
import { ClickwireError } from '../../kernel/errors.js';
import type { RateBudget, RateLimiter } from './rate-limiter.js';

/**
 * Which budget a route draws on. Aggregate routes (analytics) cost the store more per request than
 * raw reads and writes, so they have a budget of their own, and a dashboard polling analytics cannot
 * starve a loader paging clicks with the same key — nor the other way round.
 */
export function budgetKindOf(routeUrl: string): 'raw' | 'aggregate' {
  return routeUrl.startsWith('/v1/analytics/') ? 'aggregate' : 'raw';
}

/**
 * onRequest hook, after authentication: every authenticated request is counted against its key's
 * budget, and every answer to one — success or problem — carries `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the window ends). Over budget: 429 with
 * `Retry-After`, before the body is read. Public routes (health, docs, metrics) are not limited.
 */
export function rateLimitHook(limiter: RateLimiter, config: ApiRateLimitConfig, clock: Clock) {
  const budgets: Record<'raw' | 'aggregate', RateBudget> = {
    raw: { name: 'raw', limit: config.raw, windowMs: config.windowMs },
    aggregate: { name: 'aggregate', limit: config.aggregate, windowMs: config.windowMs },
  };
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = request.principal;
    const url = request.routeOptions.url;
    if (principal === null || url === undefined) return;
    const now = clock.now();
    const decision = await limiter.take(principal.key.keyId, budgets[budgetKindOf(url)], now);
    const resetSeconds = Math.max(1, Math.ceil((decision.resetAt - now) / 1000));
    reply.header('RateLimit-Limit', String(decision.limit));
    reply.header('RateLimit-Remaining', String(decision.remaining));
    reply.header('RateLimit-Reset', String(resetSeconds));
    if (!decision.allowed) {
      reply.header('Retry-After', String(resetSeconds));
      throw new ClickwireError(
        'CW_ERR_RATE_LIMITED',
        `This key has used its ${decision.limit} ${budgetKindOf(url)} requests of this window; try again in ${resetSeconds} s`,
      );
    }
  };
}
