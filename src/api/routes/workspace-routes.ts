import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { TenancyService } from '../../tenancy/tenancy-service.js';
import { principalOf } from '../authentication.js';
import { ERROR_RESPONSES, NoQuery } from '../schemas/common.js';
import {
  CreatedApiKeySchema,
  CreateWorkspaceBody,
  WorkspaceSchema,
  WorkspaceSettingsBody,
} from '../schemas/tenancy-schemas.js';
import { issuedKeyView, workspaceView } from './tenancy-views.js';

/** Workspaces are created by the instance operator; each comes with its first admin key. */
export function workspaceRoutes(tenancy: TenancyService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/workspaces',
      {
        config: { operator: true },
        schema: {
          tags: ['workspaces'],
          summary: 'Create a workspace and its first admin key (operator only)',
          body: CreateWorkspaceBody,
          response: {
            201: Type.Object({ workspace: WorkspaceSchema, api_key: CreatedApiKeySchema }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const { workspace, issued } = await tenancy.createWorkspace(request.body.name);
        return reply.code(201).send({ workspace: workspaceView(workspace), api_key: issuedKeyView(issued) });
      },
    );

    app.get(
      '/v1/workspaces',
      {
        config: { operator: true },
        schema: {
          tags: ['workspaces'],
          summary: 'List workspaces (operator only)',
          querystring: NoQuery,
          response: { 200: Type.Object({ data: Type.Array(WorkspaceSchema) }), ...ERROR_RESPONSES },
        },
      },
      async () => ({ data: (await tenancy.listWorkspaces()).map(workspaceView) }),
    );

    app.get(
      '/v1/workspace',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['workspaces'],
          summary: 'The workspace of the calling key, with its settings',
          querystring: NoQuery,
          response: { 200: WorkspaceSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => workspaceView(await tenancy.getWorkspace(principalOf(request).workspaceId)),
    );

    app.patch(
      '/v1/workspace',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['workspaces'],
          summary: 'Change how new clicks are counted: uniqueness rule and time zone',
          body: WorkspaceSettingsBody,
          response: { 200: WorkspaceSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { uniqueness_rule, timezone } = request.body;
        const workspace = await tenancy.updateSettings(principalOf(request).workspaceId, {
          ...(uniqueness_rule === undefined ? {} : { uniquenessRule: uniqueness_rule }),
          ...(timezone === undefined ? {} : { timezone }),
        });
        return workspaceView(workspace);
      },
    );
  };
}
