import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import { fieldError } from '../../kernel/errors.js';
import type { ReplaySelection } from '../../webhooks/delivery-store.js';
import type { WebhookService } from '../../webhooks/webhook-service.js';
import { principalOf } from '../authentication.js';
import type { CursorCodec } from '../cursor-codec.js';
import { ERROR_RESPONSES, PageQuery } from '../schemas/common.js';
import {
  DeliveryDetailSchema,
  DeliveryIdParams,
  DeliveryListQuery,
  DeliveryPageSchema,
  ReplayBody,
  ReplayPageSchema,
  ReplaySchema,
  SubscriptionIdParams,
} from '../schemas/webhook-schemas.js';
import { beforeIdOf } from './webhook-cursors.js';

const DELIVERIES_LIST = 'webhook-deliveries';
const REPLAYS_LIST = 'webhook-replays';

const TAGS = ['webhooks'];

/** The delivery log (every delivery and its attempts), replays and their audit trail. */
export function webhookDeliveryRoutes(
  webhooks: WebhookService,
  cursors: CursorCodec,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/webhook-deliveries',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: TAGS,
          summary: 'List webhook deliveries, newest first',
          description:
            'A delivery is one event (or one batch, or one test) for one subscription, with the figures of ' +
            'its latest attempt. `failed` deliveries are the dead letters; replay them with ' +
            '`POST /v1/webhook-deliveries/replay`.',
          querystring: DeliveryListQuery,
          response: { 200: DeliveryPageSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { workspaceId } = principalOf(request);
        const { subscription_id, status, event_id, limit, cursor } = request.query;
        const filter = {
          ...(subscription_id === undefined ? {} : { subscriptionId: subscription_id }),
          ...(status === undefined ? {} : { status }),
          ...(event_id === undefined ? {} : { eventId: event_id }),
        };
        const binding = { workspace: workspaceId, filter };
        const before = beforeIdOf(cursors, DELIVERIES_LIST, cursor, binding);
        const page = await webhooks.listDeliveries(workspaceId, filter, before, limit ?? 50);
        const last = page.items.at(-1);
        return {
          data: page.items,
          next_cursor:
            page.hasMore && last
              ? cursors.encode(DELIVERIES_LIST, { before: last.delivery_id }, binding)
              : null,
          has_more: page.hasMore,
        };
      },
    );

    app.get(
      '/v1/webhook-deliveries/:delivery_id',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: TAGS,
          summary: 'Get a webhook delivery with every attempt',
          description:
            'Each attempt: its trigger (`scheduled`, `manual` for a replay’s first try, `test`), the request ' +
            'headers sent, the status, the duration and at most 4 KB of the answer. A batch also lists its ' +
            'events and where each stands.',
          params: DeliveryIdParams,
          response: { 200: DeliveryDetailSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => webhooks.getDelivery(principalOf(request).workspaceId, request.params.delivery_id),
    );

    app.post(
      '/v1/webhook-deliveries/replay',
      {
        config: { scope: 'webhooks:write' },
        schema: {
          tags: TAGS,
          summary: 'Send events of one subscription again',
          description:
            'By `event_ids`, or by `occurred_after`/`occurred_before` (inclusive) and/or `only_failed` (events ' +
            'whose latest delivery ended `failed`). Each event goes out as a new delivery with the same ' +
            '`webhook-id` and `clickwire-sequence`; a batch subscription gets new batches. At most 10,000 ' +
            'events per request. 202: the deliveries are queued; the answer is the audit record, listed at ' +
            '`GET /v1/webhook-subscriptions/{id}/replays`.',
          body: ReplayBody,
          response: { 202: ReplaySchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { workspaceId, key } = principalOf(request);
        const replay = await webhooks.replay(
          workspaceId,
          request.body.subscription_id,
          selectionOf(request.body),
          key.keyId,
        );
        return reply.code(202).send(replay);
      },
    );

    app.get(
      '/v1/webhook-subscriptions/:subscription_id/replays',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: TAGS,
          summary: 'The replays of a subscription, newest first: who asked, when, what, how many',
          params: SubscriptionIdParams,
          querystring: PageQuery(100, 50),
          response: { 200: ReplayPageSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { workspaceId } = principalOf(request);
        const { subscription_id } = request.params;
        const binding = { workspace: workspaceId, subscription: subscription_id };
        const before = beforeIdOf(cursors, REPLAYS_LIST, request.query.cursor, binding);
        const page = await webhooks.listReplays(
          workspaceId,
          subscription_id,
          before,
          request.query.limit ?? 50,
        );
        const last = page.items.at(-1);
        return {
          data: page.items,
          next_cursor:
            page.hasMore && last ? cursors.encode(REPLAYS_LIST, { before: last.replay_id }, binding) : null,
          has_more: page.hasMore,
        };
      },
    );
  };
}

/** The body → what to replay: event ids, or a time range and/or only what failed — never both kinds. */
function selectionOf(body: Static<typeof ReplayBody>): ReplaySelection {
  const { event_ids, occurred_after, occurred_before, only_failed } = body;
  const byRange = occurred_after !== undefined || occurred_before !== undefined || only_failed !== undefined;
  if (event_ids !== undefined) {
    if (byRange)
      throw fieldError(
        'CW_ERR_VALIDATION',
        '/event_ids',
        'cannot be combined with occurred_after, occurred_before or only_failed',
      );
    return { by: 'event_ids', eventIds: event_ids };
  }
  if (!byRange)
    throw fieldError(
      'CW_ERR_VALIDATION',
      '/event_ids',
      'say what to replay: event_ids, or occurred_after/occurred_before and/or only_failed',
    );
  return {
    by: 'time_range',
    occurredAfter: occurred_after === undefined ? null : Date.parse(occurred_after),
    occurredBefore: occurred_before === undefined ? null : Date.parse(occurred_before),
    onlyFailed: only_failed ?? false,
  };
}
