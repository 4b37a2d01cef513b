import { randomBytes } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ClickAnalytics } from '../analytics/click-analytics.js';
import type { ClickExport } from '../clicks/click-export.js';
import type { ClickList } from '../clicks/click-list.js';
import type { ClickSimulator } from '../clicks/click-simulator.js';
import type { DomainService } from '../domains/domain-service.js';
import type { EventFeed } from '../events/event-feed.js';
import type { EventStore } from '../events/event-store.js';
import type { Clock } from '../kernel/clock.js';
import { ClickwireError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { LinkService } from '../links/link-service.js';
import type { ErasureService } from '../privacy/erasure-service.js';
import type { WorkspaceSettingsService } from '../privacy/workspace-settings-service.js';
import type { TenancyService } from '../tenancy/tenancy-service.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import { documentAccess } from './access-docs.js';
import { type ApiQualities, useApiQualities } from './api-qualities.js';
import { authenticationHook } from './authentication.js';
import { answerClientError } from './client-error.js';
import type { CursorCodec } from './cursor-codec.js';
import { toClickwireError } from './error-mapping.js';
import { useJsonBodyParser } from './json-body.js';
import { sendProblem } from './problem.js';
import { analyticsRoutes } from './routes/analytics-routes.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { clickRoutes } from './routes/click-routes.js';
import { domainRoutes } from './routes/domain-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { linkRoutes } from './routes/link-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { privacyRoutes } from './routes/privacy-routes.js';
import { streamRoutes } from './routes/stream-routes.js';
import { webhookDeliveryRoutes } from './routes/webhook-delivery-routes.js';
import { webhookSubscriptionRoutes } from './routes/webhook-subscription-routes.js';
import { workspaceRoutes } from './routes/workspace-routes.js';
import { ProblemSchema } from './schemas/common.js';
import { RouteTable } from './unmatched-routes.js';
import { buildValidator } from './validation.js';

export interface ApiDeps {
  readonly tenancy: TenancyService;
  readonly links: LinkService;
  readonly domains: DomainService;
  readonly cursors: CursorCodec;
  /** The query side: stored clicks, simulated clicks, analytics and events. */
  readonly query: {
    readonly clicks: ClickList;
    readonly simulator: ClickSimulator;
    readonly analytics: ClickAnalytics;
    readonly feed: EventFeed;
    readonly events: EventStore;
    readonly clock: Clock;
  };
  /** Webhook subscriptions, the delivery log and replays. */
  readonly webhooks: WebhookService;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** True when the store answers; backs `/readyz`. */
  readonly isReady: () => Promise<boolean>;
  /** Rate limits, `Idempotency-Key`, metrics, stage readiness and the click stream. */
  readonly qualities: ApiQualities;
  /** Workspace retention and privacy settings, erasure requests and click exports. */
  readonly privacy: {
    readonly settings: WorkspaceSettingsService;
    readonly erasures: ErasureService;
    readonly exports: ClickExport;
  };
}

export type Api = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The REST API: routes, validation from their schemas, problem+json errors, and the generated OpenAPI document. */
export async function buildApiApp(deps: ApiDeps): Promise<Api> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request at 40k req/s is noise; errors and 5xx are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.maxBodyBytes,
    genReqId: () => `req_${randomBytes(8).toString('hex')}`,
    requestIdHeader: false,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // JSON bodies are validated as sent, text parts (query, params, headers) with coercion: see validation.ts.
    schemaController: { compilersFactory: { buildValidator } },
    // Errors Fastify answers before routing (a malformed URL, an over-long path parameter) are problems too.
    frameworkErrors: (error, request, reply) => sendProblem(request, reply, toClickwireError(error).error),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are JSON only: Fastify's built-in text/plain parser would hand a text body to the schema,
  // which answers 400 where the caller needs to hear 415.
  app.removeContentTypeParser('text/plain');
  // JSON that is valid but carries a `__proto__` key is refused as such, not as "not valid JSON".
  useJsonBodyParser(app);

  app.decorateRequest('principal', null);
  app.addSchema(ProblemSchema);

  const routeTable = new RouteTable();
  routeTable.attach(app);

  // Both before any plugin registers routes: a route keeps the error handler that was set when it was
  // added, and only sees onRoute hooks added before it — the docs page must be public and answer problems.
  app.setErrorHandler((error, request, reply) => {
    const { error: mapped, internal } = toClickwireError(error);
    if (internal) request.log.error({ err: error, req_id: request.id }, 'unhandled error in API route');
    if (mapped.code === 'CW_ERR_UNAVAILABLE') reply.header('Retry-After', '1');
    return sendProblem(request, reply, mapped);
  });

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), public: true };
    documentAccess(route);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Clickwire API',
        version: '1',
        description: 'Links, clicks, analytics, events and webhooks of a Clickwire instance.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'cw_live_…' } },
      },
      security: [{ bearerAuth: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

  app.addHook('onRequest', authenticationHook(deps.tenancy));
  useApiQualities(app, deps.qualities, deps.logger);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('Cache-Control', 'no-store');
    return payload;
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/';
    const allowed = routeTable.allowedMethods(path);
    // A route that takes this very method and still ends up here (a wildcard route calling
    // `callNotFound`, e.g. a missing docs asset) found nothing: that is a 404, not a 405.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('Allow', allowed.join(', '));
      return sendProblem(
        request,
        reply,
        new ClickwireError('CW_ERR_METHOD_NOT_ALLOWED', `Allowed: ${allowed.join(', ')}`),
      );
    }
    return sendProblem(
      request,
      reply,
      new ClickwireError('CW_ERR_ROUTE_NOT_FOUND', `No route ${request.method} ${path}`),
    );
  });

  await app.register(healthRoutes(deps.isReady, deps.qualities.stages));
  await app.register(metricsRoutes(deps.qualities.exposition));
  await app.register(workspaceRoutes(deps.tenancy));
  await app.register(apiKeyRoutes(deps.tenancy));
  await app.register(domainRoutes(deps.domains));
  await app.register(linkRoutes(deps.links, deps.cursors));
  await app.register(
    clickRoutes({ ...deps.query, cursors: deps.cursors, privacySettings: deps.privacy.settings }),
  );
  await app.register(
    analyticsRoutes({ ...deps.query, tenancy: deps.tenancy, privacySettings: deps.privacy.settings }),
  );
  await app.register(privacyRoutes(deps.privacy));
  await app.register(exportRoutes({ exports: deps.privacy.exports, logger: deps.logger }));
  await app.register(eventRoutes({ ...deps.query, cursors: deps.cursors }));
  await app.register(
    streamRoutes({
      tail: deps.qualities.tail,
      cursors: deps.cursors,
      heartbeatMs: deps.qualities.stream.heartbeatMs,
      maxBufferedEvents: deps.qualities.stream.maxBufferedEvents,
      onDropped: () => deps.qualities.metrics.streamsDropped.inc(),
    }),
  );
  await app.register(webhookSubscriptionRoutes(deps.webhooks, deps.cursors));
  await app.register(webhookDeliveryRoutes(deps.webhooks, deps.cursors));

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
