import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the store answers too, and
 * every stage this process started — edge, processor, dispatcher, API — is still running).
 */
export function healthRoutes(
  isReady: () => Promise<boolean>,
  stages: () => Record<string, 'running' | 'stopped'> = () => ({}),
): FastifyPluginAsyncTypebox {
  return async (app) => {
    const Status = Type.Object({ status: Type.String() });
    const Readiness = Type.Object({
      status: Type.String({ description: '`ready` or `unavailable`.' }),
      stages: Type.Record(Type.String(), Type.String(), {
        description: 'Each stage this process started, `running` or `stopped`.',
      }),
    });
    app.get(
      '/healthz',
      { config: { public: true }, schema: { tags: ['operations'], security: [], response: { 200: Status } } },
      async () => ({ status: 'ok' }),
    );
    app.get(
      '/readyz',
      {
        config: { public: true },
        schema: { tags: ['operations'], security: [], response: { 200: Readiness, 503: Readiness } },
      },
      async (_request, reply) => {
        const storeReady = await isReady().catch(() => false);
        const states = stages();
        const ready = storeReady && Object.values(states).every((state) => state === 'running');
        return reply
          .code(ready ? 200 : 503)
          .send({ status: ready ? 'ready' : 'unavailable', stages: states });
      },
    );
  };
}
