import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { MetricsExposition } from '../../metrics/metrics-exposition.js';

/** `/metrics`: Prometheus text exposition, public like the health checks (bind the API port accordingly). */
export function metricsRoutes(exposition: MetricsExposition): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/metrics',
      {
        config: { public: true },
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics',
          description:
            'Redirects by status, clicks processed by traffic class, processor lag, webhook deliveries by outcome ' +
            'and their latency, API latency by route, click-stream readers dropped, and the dispatcher’s backlog — ' +
            'added up over the threads of this process.',
          security: [],
          response: {
            200: {
              description: 'Prometheus text format 0.0.4.',
              content: { 'text/plain': { schema: Type.String() } },
            },
          },
        },
      },
      async (_request, reply) => {
        const { contentType, text } = await exposition.render();
        return reply.type(contentType).send(text);
      },
    );
  };
}
