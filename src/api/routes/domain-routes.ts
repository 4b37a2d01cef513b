import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DomainService } from '../../domains/domain-service.js';
import { principalOf } from '../authentication.js';
import { ERROR_RESPONSES, NoQuery } from '../schemas/common.js';
import { CreateDomainBody, DomainIdParams, DomainSchema } from '../schemas/tenancy-schemas.js';
import { domainView } from './tenancy-views.js';

/** Branded domains: registering one makes the edge resolve its `Host` to this workspace's links. */
export function domainRoutes(domains: DomainService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/domains',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['domains'],
          summary: 'Register a branded domain',
          body: CreateDomainBody,
          response: { 201: DomainSchema, 409: Type.Ref('Problem'), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const domain = await domains.register(principalOf(request).workspaceId, request.body.hostname);
        return reply.code(201).send(domainView(domain));
      },
    );

    app.get(
      '/v1/domains',
      {
        config: { scope: 'links:read' },
        schema: {
          tags: ['domains'],
          summary: 'List the workspace’s domains',
          querystring: NoQuery,
          response: {
            200: Type.Object({
              data: Type.Array(DomainSchema),
              next_cursor: Type.Null(),
              has_more: Type.Boolean(),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const list = await domains.list(principalOf(request).workspaceId);
        return { data: list.map(domainView), next_cursor: null, has_more: false };
      },
    );

    app.get(
      '/v1/domains/:domain_id',
      {
        config: { scope: 'links:read' },
        schema: {
          tags: ['domains'],
          summary: 'Get a domain',
          params: DomainIdParams,
          response: { 200: DomainSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) =>
        domainView(await domains.get(principalOf(request).workspaceId, request.params.domain_id)),
    );

    app.delete(
      '/v1/domains/:domain_id',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['domains'],
          summary: 'Remove a domain that has no live links',
          params: DomainIdParams,
          response: { 204: Type.Null(), 409: Type.Ref('Problem'), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await domains.remove(principalOf(request).workspaceId, request.params.domain_id);
        return reply.code(204).send(null);
      },
    );
  };
}
