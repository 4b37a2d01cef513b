import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickTail } from '../clicks/click-tail.js';
import type { ApiRateLimitConfig, StreamConfig } from '../config/config.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MetricsExposition } from '../metrics/metrics-exposition.js';
import { IDEMPOTENCY_KEY_MAX_LENGTH, useIdempotencyKeys } from './idempotency-hooks.js';
import { rateLimitHook } from './rate-limit/rate-limit-hook.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';

/** What every route has besides its own logic: limits, idempotency, metrics, readiness, the stream. */
export interface ApiQualities {
  readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  readonly rateLimit: ApiRateLimitConfig;
  readonly idempotency: IdempotencyStore;
  /** This thread's counters: API latency and dropped stream readers are recorded here. */
  readonly metrics: Metrics;
  readonly exposition: MetricsExposition;
  /** The stages this process started and whether each still runs, for `/readyz`. */
  readonly stages: () => Record<string, 'running' | 'stopped'>;
  readonly tail: ClickTail;
  readonly stream: StreamConfig;
}

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: `^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`,
      description:
        'Makes a retry safe: a request with the same key and body within 24 h gets the first answer again ' +
        '(`Idempotency-Replayed: true`); another body with the same key is a 422.',
    }),
  ),
});

/** A route as Fastify registered it (HEAD routes it adds for GET included). */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after `useApiQualities`, as Fastify's onRoute hook saw it. */
    registeredRoutes: readonly RegisteredRoute[];
  }
}

/**
 * Installs the cross-cutting hooks; call after the authentication hook (limits are per key) and
 * before any route is registered (hooks and onRoute apply to routes added after them).
 */
export function useApiQualities(app: FastifyInstance, qualities: ApiQualities, logger: Logger): void {
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    for (const method of methods) routes.push({ method, url: route.url });
    // Mutating operations declare the header, so the document shows it and the schema checks it.
    const mutating = methods.some((method) => method === 'POST' || method === 'PATCH' || method === 'DELETE');
    if (mutating && route.schema && route.schema.headers === undefined) {
      route.schema = { ...route.schema, headers: IdempotencyHeaders };
    }
  });
  app.addHook('onRequest', rateLimitHook(qualities.rateLimiter, qualities.rateLimit, qualities.clock));
  useIdempotencyKeys(app, { store: qualities.idempotency, clock: qualities.clock, logger });
  app.addHook('onResponse', async (request, reply) => {
    qualities.metrics.apiDuration.observe(
      {
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });
}
