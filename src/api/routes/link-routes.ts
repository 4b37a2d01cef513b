import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { RedirectType } from '../../links/link.js';
import type { LinkPatch } from '../../links/link-input.js';
import type { LinkService } from '../../links/link-service.js';
import { principalOf } from '../authentication.js';
import type { CursorCodec } from '../cursor-codec.js';
import { ERROR_RESPONSES, PageOf, PageQuery } from '../schemas/common.js';
import { CreateLinkBody, LinkIdParams, LinkSchema, PatchLinkBody } from '../schemas/link-schemas.js';

const LINKS_LIST = 'links';

export function linkRoutes(links: LinkService, cursors: CursorCodec): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/links',
      {
        config: { scope: 'links:write' },
        schema: {
          tags: ['links'],
          summary: 'Create a tracking link',
          body: CreateLinkBody,
          response: {
            201: LinkSchema,
            409: Type.Ref('Problem'),
            422: Type.Ref('Problem'),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const link = await links.create(principalOf(request).workspaceId, {
          ...toPatch(body),
          destinationUrl: body.destination_url,
        });
        return reply.code(201).send(link);
      },
    );

    app.get(
      '/v1/links',
      {
        config: { scope: 'links:read' },
        schema: {
          tags: ['links'],
          summary: 'List links, newest first',
          querystring: PageQuery(100, 50),
          response: { 200: PageOf(LinkSchema), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { workspaceId } = principalOf(request);
        const limit = request.query.limit ?? 50;
        const before = request.query.cursor ? cursors.decode(LINKS_LIST, request.query.cursor).before : null;
        const page = await links.list(workspaceId, typeof before === 'string' ? before : null, limit);
        const last = page.links.at(-1);
        return {
          data: page.links,
          next_cursor: page.hasMore && last ? cursors.encode(LINKS_LIST, { before: last.link_id }) : null,
          has_more: page.hasMore,
        };
      },
    );

    app.get(
      '/v1/links/:link_id',
      {
        config: { scope: 'links:read' },
        schema: {
          tags: ['links'],
          summary: 'Get a link',
          params: LinkIdParams,
          response: { 200: LinkSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => links.get(principalOf(request).workspaceId, request.params.link_id),
    );

    app.patch(
      '/v1/links/:link_id',
      {
        config: { scope: 'links:write' },
        schema: {
          tags: ['links'],
          summary: 'Change a link; the edge serves the change at once',
          params: LinkIdParams,
          body: PatchLinkBody,
          response: {
            200: LinkSchema,
            409: Type.Ref('Problem'),
            422: Type.Ref('Problem'),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) =>
        links.update(principalOf(request).workspaceId, request.params.link_id, toPatch(request.body)),
    );

    app.delete(
      '/v1/links/:link_id',
      {
        config: { scope: 'links:write' },
        schema: {
          tags: ['links'],
          summary: 'Delete a link; its alias becomes free and its slug answers 404',
          params: LinkIdParams,
          response: { 204: Type.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await links.delete(principalOf(request).workspaceId, request.params.link_id);
        return reply.code(204).send(null);
      },
    );
  };
}

/** API field names → the service's; absent stays absent, `null` stays `null`. */
function toPatch(body: Static<typeof PatchLinkBody>): LinkPatch {
  const patch: { -readonly [K in keyof LinkPatch]: LinkPatch[K] } = {};
  if (body.alias !== undefined) patch.alias = body.alias;
  if (body.destination_url !== undefined) patch.destinationUrl = body.destination_url;
  if (body.domain_id !== undefined) patch.domainId = body.domain_id;
  if (body.redirect_type !== undefined) patch.redirectType = body.redirect_type as RedirectType;
  if (body.campaign_id !== undefined) patch.campaignId = body.campaign_id;
  if (body.channel !== undefined) patch.channel = body.channel;
  if (body.tags !== undefined) patch.tags = body.tags;
  if (body.expires_at !== undefined)
    patch.expiresAt = body.expires_at === null ? null : Date.parse(body.expires_at);
  if (body.disabled !== undefined) patch.disabled = body.disabled;
  if (body.forward_query !== undefined) patch.forwardQuery = body.forward_query;
  if (body.fallback_url !== undefined) patch.fallbackUrl = body.fallback_url;
  return patch;
}
