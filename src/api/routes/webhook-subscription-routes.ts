import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import { fieldError } from '../../kernel/errors.js';
import type {
  DeliveryModeInput,
  SubscriptionFiltersInput,
  SubscriptionPatch,
} from '../../webhooks/subscription-input.js';
import type { WebhookService } from '../../webhooks/webhook-service.js';
import { principalOf } from '../authentication.js';
import { type CursorCodec, cursorInteger } from '../cursor-codec.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import {
  CreatedSubscriptionSchema,
  CreateSubscriptionBody,
  DeliveryDetailSchema,
  HealthSchema,
  PatchSubscriptionBody,
  RotatedSecretSchema,
  RotateSecretBody,
  StreamPageSchema,
  StreamQuery,
  SubscriptionIdParams,
  SubscriptionPageSchema,
  SubscriptionSchema,
} from '../schemas/webhook-schemas.js';
import { beforeIdOf } from './webhook-cursors.js';

const SUBSCRIPTIONS_LIST = 'webhook-subscriptions';
const STREAM_LIST = 'webhook-stream';

const TAGS = ['webhooks'];
const UNPROCESSABLE = { 422: Type.Ref('Problem') } as const;

/**
 * Webhook subscriptions: their definition and status, secret rotation, the test endpoint, resume,
 * the stream a subscriber fills gaps from, and health. Another workspace's subscription is a 404.
 */
export function webhookSubscriptionRoutes(
  webhooks: WebhookService,
  cursors: CursorCodec,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/webhook-subscriptions',
      {
        config: { scope: 'webhooks:write' },
        schema: {
          tags: TAGS,
          summary: 'Create a webhook subscription; its signing secret is in this answer only',
          description:
            'Starts with the events stored after it is created. The answer carries `secret` (`whsec_…`): ' +
            'subscribers verify every delivery with it the Standard Webhooks way. It is shown again only ' +
            'by `rotate-secret`, which issues a new one.',
          body: CreateSubscriptionBody,
          response: { 201: CreatedSubscriptionSchema, ...UNPROCESSABLE, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { url, event_types } = request.body;
        const { subscription, secret } = await webhooks.createSubscription(principalOf(request).workspaceId, {
          ...toPatch(request.body),
          url,
          eventTypes: event_types,
        });
        return reply
          .code(201)
          .header('Location', `/v1/webhook-subscriptions/${subscription.subscription_id}`)
          .send({ ...subscription, secret });
      },
    );

    app.get(
      '/v1/webhook-subscriptions',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: TAGS,
          summary: 'List webhook subscriptions, newest first',
          querystring: Type.Object(
            {
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
              cursor: Type.Optional(Type.String({ maxLength: 512 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: SubscriptionPageSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { workspaceId } = principalOf(request);
        const binding = { workspace: workspaceId };
        const before = beforeIdOf(cursors, SUBSCRIPTIONS_LIST, request.query.cursor, binding);
        const page = await webhooks.listSubscriptions(workspaceId, before, request.query.limit ?? 50);
        const last = page.items.at(-1);
        return {
          data: page.items,
          next_cursor:
            page.hasMore && last
              ? cursors.encode(SUBSCRIPTIONS_LIST, { before: last.subscription_id }, binding)
              : null,
          has_more: page.hasMore,
        };
      },
    );

    app.get(
      '/v1/webhook-subscriptions/:subscription_id',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: TAGS,
          summary: 'Get a webhook subscription (never its secret)',
          params: SubscriptionIdParams,
          response: { 200: SubscriptionSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) =>
        webhooks.getSubscription(principalOf(request).workspaceId, request.params.subscription_id),
    );

    app.patch(
      '/v1/webhook-subscriptions/:subscription_id',
      {
        config: { scope: 'webhooks:write' },
        schema: {
          tags: TAGS,
          summary: 'Change a webhook subscription, or pause, disable or resume it',
          description:
            'Fields given replace the current ones (`null` clears a nullable one); `filters` replaces the ' +
            'filters it names and keeps the others. `status: active` resumes a paused subscription (its ' +
            'backlog goes out oldest first); `paused` keeps its events accumulating; `disabled` sends and ' +
            'keeps nothing. `status_reason` records why.',
          params: SubscriptionIdParams,
          body: PatchSubscriptionBody,
          response: { 200: SubscriptionSchema, ...UNPROCESSABLE, ...ERROR_RESPONSES },
        },
      },
      async (request) =>
        webhooks.updateSubscription(
          principalOf(request).workspaceId,
          request.params.subscription_id,
          toPatch(request.body),
        ),
    );

    app.delete(
      '/v1/webhook-subscriptions/:subscription_id',
      {
        config: { scope: 'webhooks:write' },
        schema: {
          tags: TAGS,
          summary: 'Delete a webhook subscription',
          description: 'Its open deliveries fail; its delivery log stays readable.',
          params: SubscriptionIdParams,
          response: { 204: Type.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await webhooks.deleteSubscription(principalOf(request).workspaceId, request.params.subscription_id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/v1/webhook-subscriptions/:subscription_id/rotate-secret',
      {
        config: { scope: 'webhooks:write' },
        schema: {
          tags: TAGS,
          summary: 'Issue a new signing secret; the old one keeps signing during a grace period',
          description:
            'During `grace_period_seconds` (default 86,400; 0 to 604,800) every request carries both ' +
            'signatures in `webhook-signature`, space-separated, so subscribers can switch at leisure. ' +
            'The new secret is in this answer only.',
          params: SubscriptionIdParams,
          body: RotateSecretBody,
          response: { 200: RotatedSecretSchema, ...ERROR_RESPONSES },
        },
        // The body is optional: none at all means every default.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const { subscription_id } = request.params;
        const rotated = await webhooks.rotateSecret(
          principalOf(request).workspaceId,
          subscription_id,
          request.body.grace_period_seconds,
        );
        return {
          subscription_id,
          secret: rotated.secret,
          previous_secret_expires_at: rotated.previousSecretExpiresAt,
        };
      },
    );

    app.post(
      '/v1/webhook-subscriptions/:subscription_id/test',
      {
        config: { scope: 'webhooks:write' },
        schema: {
          tags: TAGS,
          summary: 'Send a sample event marked as a test now, and return the outcome',
          description:
            'The sample carries `"test": true` and the shape of the subscription’s first event type. It is ' +
            'sent once (never retried) whatever the subscription’s status, recorded like any delivery ' +
            '(`kind: test`), and not counted in the subscription’s health. A failed test is still a 200: ' +
            'the delivery says what the subscriber answered.',
          params: SubscriptionIdParams,
          response: { 200: DeliveryDetailSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => webhooks.sendTest(principalOf(request).workspaceId, request.params.subscription_id),
    );

    app.post(
      '/v1/webhook-subscriptions/:subscription_id/resume',
      {
        config: { scope: 'webhooks:write' },
        schema: {
          tags: TAGS,
          summary: 'Resume a paused or disabled subscription',
          description:
            'A paused subscription’s backlog goes out oldest first. Resuming an active one changes nothing.',
          params: SubscriptionIdParams,
          response: { 200: SubscriptionSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => webhooks.resume(principalOf(request).workspaceId, request.params.subscription_id),
    );

    app.get(
      '/v1/webhook-subscriptions/:subscription_id/events',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: TAGS,
          summary: 'The subscription’s stream after a sequence number, to fill a gap',
          description:
            'Every delivery carries `clickwire-sequence`, the event’s number in the subscription’s stream. ' +
            'When it jumps, fetch what was missed here: the events after `after_sequence`, in order, each ' +
            'with its number and the envelope as delivered. Events no longer stored are skipped.',
          params: SubscriptionIdParams,
          querystring: StreamQuery,
          response: { 200: StreamPageSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { workspaceId } = principalOf(request);
        const { subscription_id } = request.params;
        const { query } = request;
        const binding = { workspace: workspaceId, subscription: subscription_id };
        if (query.cursor !== undefined && query.after_sequence !== undefined)
          throw fieldError(
            'CW_ERR_VALIDATION',
            'querystring/after_sequence',
            'give either after_sequence or cursor',
          );
        const after =
          query.cursor === undefined
            ? (query.after_sequence ?? 0)
            : cursorInteger(cursors.decode(STREAM_LIST, query.cursor, binding), 'a');
        const page = await webhooks.streamAfter(workspaceId, subscription_id, after, query.limit ?? 100);
        const last = page.items.at(-1);
        return {
          data: page.items,
          next_cursor:
            page.hasMore && last ? cursors.encode(STREAM_LIST, { a: last.sequence }, binding) : null,
          has_more: page.hasMore,
        };
      },
    );

    app.get(
      '/v1/webhook-subscriptions/:subscription_id/health',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: TAGS,
          summary: 'Success rates, latency, failure reasons and lag of a subscription',
          description:
            'Success rate over the last hour and day, median and p95 attempt latency, failed attempts by ' +
            'reason, the current run of failures, and the age of the oldest event not yet delivered. Test ' +
            'deliveries are not counted.',
          params: SubscriptionIdParams,
          response: { 200: HealthSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => webhooks.health(principalOf(request).workspaceId, request.params.subscription_id),
    );
  };
}

type DefinitionBody = Static<typeof PatchSubscriptionBody>;

/** API field names → the service's; absent stays absent, `null` stays `null`. */
function toPatch(body: DefinitionBody): SubscriptionPatch {
  const patch: { -readonly [K in keyof SubscriptionPatch]: SubscriptionPatch[K] } = {};
  if (body.url !== undefined) patch.url = body.url;
  if (body.description !== undefined) patch.description = body.description;
  if (body.event_types !== undefined) patch.eventTypes = body.event_types;
  if (body.filters !== undefined) patch.filters = toFilters(body.filters);
  const mode = toMode(body);
  if (mode !== undefined) patch.mode = mode;
  if (body.max_attempts !== undefined) patch.maxAttempts = body.max_attempts;
  if (body.rate_limit_per_second !== undefined) patch.rateLimitPerSecond = body.rate_limit_per_second;
  if (body.status !== undefined) patch.status = body.status;
  if (body.status_reason !== undefined) patch.statusReason = body.status_reason;
  return patch;
}

function toFilters(filters: NonNullable<DefinitionBody['filters']>): SubscriptionFiltersInput {
  const input: { -readonly [K in keyof SubscriptionFiltersInput]: SubscriptionFiltersInput[K] } = {};
  if (filters.link_ids !== undefined) input.linkIds = filters.link_ids;
  if (filters.tags !== undefined) input.tags = filters.tags;
  if (filters.campaign_id !== undefined) input.campaignId = filters.campaign_id;
  if (filters.traffic_classes !== undefined) input.trafficClasses = filters.traffic_classes;
  return input;
}

/** `mode` and `batch` → one mode; batch settings imply `mode: batch`, and make no sense with `immediate`. */
function toMode(body: DefinitionBody): DeliveryModeInput | undefined {
  const { mode, batch } = body;
  if (mode === 'immediate') {
    if (batch !== undefined)
      throw fieldError('CW_ERR_VALIDATION', '/batch', 'goes only with mode "batch" (or without mode)');
    return { kind: 'immediate' };
  }
  if (mode === undefined && batch === undefined) return undefined;
  return {
    kind: 'batch',
    ...(batch?.max_events === undefined ? {} : { maxEvents: batch.max_events }),
    ...(batch?.max_wait_ms === undefined ? {} : { maxWaitMs: batch.max_wait_ms }),
  };
}
