import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { TenancyService } from '../../tenancy/tenancy-service.js';
import { principalOf } from '../authentication.js';
import { ERROR_RESPONSES, NoQuery } from '../schemas/common.js';
import {
  ApiKeyIdParams,
  ApiKeySchema,
  CreateApiKeyBody,
  CreatedApiKeySchema,
} from '../schemas/tenancy-schemas.js';
import { apiKeyView, issuedKeyView } from './tenancy-views.js';

/** A workspace's keys, managed by its admins. */
export function apiKeyRoutes(tenancy: TenancyService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/api-keys',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['api-keys'],
          summary: 'Create an API key; the key is in this answer only',
          body: CreateApiKeyBody,
          response: { 201: CreatedApiKeySchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { workspaceId } = principalOf(request);
        const issued = await tenancy.createKey(workspaceId, request.body.name, request.body.scopes);
        return reply.code(201).send(issuedKeyView(issued));
      },
    );

    app.get(
      '/v1/api-keys',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['api-keys'],
          summary: 'List the live API keys of the workspace',
          querystring: NoQuery,
          response: {
            200: Type.Object({
              data: Type.Array(ApiKeySchema),
              next_cursor: Type.Null(),
              has_more: Type.Boolean(),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const keys = await tenancy.listKeys(principalOf(request).workspaceId);
        return { data: keys.map(apiKeyView), next_cursor: null, has_more: false };
      },
    );

    app.delete(
      '/v1/api-keys/:key_id',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['api-keys'],
          summary: 'Revoke an API key',
          params: ApiKeyIdParams,
          response: { 204: Type.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await tenancy.revokeKey(principalOf(request).workspaceId, request.params.key_id);
        return reply.code(204).send(null);
      },
    );
  };
}
