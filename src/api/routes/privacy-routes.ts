import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ClickwireError } from '../../kernel/errors.js';
import type { ErasureSelector } from '../../privacy/erasure-request.js';
import type { ErasureService } from '../../privacy/erasure-service.js';
import type { WorkspaceSettingsService } from '../../privacy/workspace-settings-service.js';
import { principalOf } from '../authentication.js';
import { ERROR_RESPONSES, NoQuery } from '../schemas/common.js';
import {
  ErasureIdParams,
  ErasureReceiptSchema,
  ErasureRequestBody,
  WorkspaceSettingsPatch,
  WorkspaceSettingsSchema,
} from '../schemas/privacy-schemas.js';
import { erasureReceiptView, workspaceSettingsView } from './privacy-views.js';

export interface PrivacyRoutesDeps {
  readonly settings: WorkspaceSettingsService;
  readonly erasures: ErasureService;
}

const ERASURE_DESCRIPTION =
  'Erases clicks by visitor (an address, optionally with a user agent: both are hashed in memory ' +
  'the way clicks were, with every daily salt still held, and never stored), by link, or by time range. ' +
  'Matching clicks are deleted from the click log and the store, taken out of the rollups, and the ' +
  'events and stored delivery bodies that carry them are purged; each erased click is announced to ' +
  'subscribers as `click.deleted`. Runs in the background: 202 with a receipt to poll. The same ' +
  'request again answers 200 with the same receipt. See docs/privacy.md.';

/** `GET/PATCH /v1/workspace/settings` and `/v1/privacy/erasure-requests`. */
export function privacyRoutes({ settings, erasures }: PrivacyRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/workspace/settings',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['workspaces', 'privacy'],
          summary: 'The workspace’s counting, retention and privacy settings',
          querystring: NoQuery,
          response: { 200: WorkspaceSettingsSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => workspaceSettingsView(await settings.get(principalOf(request).workspaceId)),
    );

    app.patch(
      '/v1/workspace/settings',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['workspaces', 'privacy'],
          summary: 'Change counting, retention or privacy settings',
          description:
            'Privacy options apply at the edge to clicks captured from now on (an option off means the ' +
            'value is never derived nor stored); clicks already stored keep the mode they were captured ' +
            'under. A shorter retention deletes what it now expires at the next retention pass (hourly).',
          body: WorkspaceSettingsPatch,
          response: { 200: WorkspaceSettingsSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { uniqueness_rule, timezone, retention, privacy } = request.body;
        const updated = await settings.update(principalOf(request).workspaceId, {
          ...(uniqueness_rule === undefined ? {} : { uniquenessRule: uniqueness_rule }),
          ...(timezone === undefined ? {} : { timezone }),
          ...(retention === undefined
            ? {}
            : {
                retention: {
                  ...(retention.raw_clicks_days === undefined
                    ? {}
                    : { rawClickDays: retention.raw_clicks_days }),
                  ...(retention.events_days === undefined ? {} : { eventDays: retention.events_days }),
                  ...(retention.rollups_days === undefined ? {} : { rollupDays: retention.rollups_days }),
                },
              }),
          ...(privacy === undefined
            ? {}
            : {
                privacy: {
                  ...(privacy.ip_hash === undefined ? {} : { ipHash: privacy.ip_hash }),
                  ...(privacy.ip_prefix === undefined ? {} : { ipPrefix: privacy.ip_prefix }),
                  ...(privacy.country === undefined ? {} : { country: privacy.country }),
                  ...(privacy.asn === undefined ? {} : { asn: privacy.asn }),
                  ...(privacy.referrer === undefined ? {} : { referrer: privacy.referrer }),
                  ...(privacy.language === undefined ? {} : { language: privacy.language }),
                  ...(privacy.user_agent === undefined ? {} : { userAgent: privacy.user_agent }),
                },
              }),
        });
        return workspaceSettingsView(updated);
      },
    );

    app.post(
      '/v1/privacy/erasure-requests',
      {
        config: { scope: 'privacy:write' },
        schema: {
          tags: ['privacy'],
          summary: 'Erase clicks by visitor, link or time range',
          description: ERASURE_DESCRIPTION,
          body: ErasureRequestBody,
          response: {
            200: ErasureReceiptSchema,
            202: ErasureReceiptSchema,
            422: Type.Ref('Problem'),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { request: logged, created } = await erasures.request(
          principal.workspaceId,
          selectorOf(request.body),
          principal.key.keyId,
        );
        const view = erasureReceiptView(logged);
        return reply
          .code(created ? 202 : 200)
          .header('Location', view.href)
          .send(view);
      },
    );

    app.get(
      '/v1/privacy/erasure-requests/:erasure_request_id',
      {
        config: { scope: 'privacy:read' },
        schema: {
          tags: ['privacy'],
          summary: 'An erasure request’s receipt: status, counts, finished_at',
          params: ErasureIdParams,
          querystring: NoQuery,
          response: { 200: ErasureReceiptSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const found = await erasures.get(principalOf(request).workspaceId, request.params.erasure_request_id);
        if (!found) throw new ClickwireError('CW_ERR_NOT_FOUND', 'No such erasure request in this workspace');
        return erasureReceiptView(found);
      },
    );
  };
}

type Body = import('@sinclair/typebox').Static<typeof ErasureRequestBody>;

function selectorOf(body: Body): ErasureSelector {
  if ('visitor' in body)
    return { kind: 'visitor', ip: body.visitor.ip, userAgent: body.visitor.user_agent ?? null };
  if ('link_id' in body) return { kind: 'link', linkId: body.link_id };
  return {
    kind: 'time_range',
    from: Date.parse(body.occurred_after),
    until: Date.parse(body.occurred_before),
  };
}
