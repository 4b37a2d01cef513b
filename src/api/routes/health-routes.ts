import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the store answers too). */
export function healthRoutes(isReady: () => Promise<boolean>): FastifyPluginAsyncTypebox {
  return async (app) => {
    const Status = Type.Object({ status: Type.String() });
    app.get(
      '/healthz',
      { config: { public: true }, schema: { tags: ['operations'], security: [], response: { 200: Status } } },
      async () => ({ status: 'ok' }),
    );
    app.get(
      '/readyz',
      {
        config: { public: true },
        schema: { tags: ['operations'], security: [], response: { 200: Status, 503: Status } },
      },
      async (_request, reply) => {
        const ready = await isReady().catch(() => false);
        return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable' });
      },
    );
  };
}
