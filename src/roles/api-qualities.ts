import { MemoryRateLimiter } from '../adapters/memory/memory-rate-limiter.js';
import type { ApiQualities } from '../api/api-qualities.js';
import { ClickTail } from '../clicks/click-tail.js';
import { MetricsExposition } from '../metrics/metrics-exposition.js';
import { DISPATCHER_CONSUMER } from './dispatcher.js';
import type { RoleContext } from './role-context.js';

/** Clicks read per workspace and round by the click stream's shared tail. */
const TAIL_PAGE_SIZE = 500;

/**
 * The API's cross-cutting parts, wired for this process: in-process rate limits (one API process
 * per store in embedded mode; see docs/adr/2026-11-28-api-rate-limits.md), `Idempotency-Key`
 * records in the store, `/metrics` over this thread, the role threads and the store, and one click
 * tail for every stream of the process.
 */
export function apiQualitiesFor(context: RoleContext): ApiQualities {
  const { backend, clock, logger, config, metrics, stages } = context;
  return {
    clock,
    rateLimiter: new MemoryRateLimiter(),
    rateLimit: config.apiRateLimit,
    idempotency: backend.idempotency,
    metrics,
    exposition: new MetricsExposition(
      metrics,
      () => stages.threadMetrics(),
      [
        {
          name: 'clickwire_dispatcher_backlog_events',
          help: 'Events stored but not yet fanned out to webhook subscriptions (from the store).',
          read: async () => {
            const { cursor, eventHead } = await backend.deliveries.watermarks(DISPATCHER_CONSUMER);
            return Math.max(0, eventHead - cursor);
          },
        },
      ],
      (name, error) => logger.warn({ err: error, metric: name }, 'metric could not be read; left out'),
    ),
    stages: () => stages.states(),
    tail: new ClickTail(
      backend.clickReads,
      { pollMs: config.stream.pollMs, pageSize: TAIL_PAGE_SIZE },
      logger,
    ),
    stream: config.stream,
  };
}
