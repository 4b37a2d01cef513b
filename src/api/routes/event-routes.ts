import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EVENT_TYPES, type EventType } from '../../events/event-envelope.js';
import type { EventFeed, EventFeedQuery } from '../../events/event-feed.js';
import type { EventStore } from '../../events/event-store.js';
import { ClickwireError, fieldError } from '../../kernel/errors.js';
import { principalOf } from '../authentication.js';
import { type CursorCodec, cursorInteger } from '../cursor-codec.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { EventIdParams, EventListQuery, EventPageSchema, EventSchema } from '../schemas/event-schemas.js';

const EVENTS_LIST = 'events';

export interface EventRoutesDeps {
  readonly feed: EventFeed;
  readonly events: EventStore;
  readonly cursors: CursorCodec;
}

/**
 * The events subscribers receive, for pulling instead of (or after missing) webhooks. Scope
 * `webhooks:read`: they are the webhook payloads, which that scope already shows in deliveries.
 */
export function eventRoutes({ feed, events, cursors }: EventRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/events',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: ['events'],
          summary: 'List events, oldest first',
          description:
            'Events in the order they were committed — oldest first, as subscribers receive them. Paging while ' +
            'events keep arriving neither repeats nor skips one: commit order, unlike `event_id` order, never ' +
            'has a later arrival land behind the cursor. `next_cursor` stays set when `has_more` is false, to ' +
            'come back for newer events. `created_after`/`created_before` filter on when the event was written ' +
            '(the time in its `event_id`).',
          querystring: EventListQuery,
          response: { 200: EventPageSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { workspaceId } = principalOf(request);
        const { query } = request;
        const feedQuery: EventFeedQuery = {
          types: query.type === undefined ? null : eventTypes(query.type),
          createdAfter: query.created_after === undefined ? null : Date.parse(query.created_after),
          createdBefore: query.created_before === undefined ? null : Date.parse(query.created_before),
        };
        const binding = {
          workspace: workspaceId,
          types: feedQuery.types === null ? null : [...new Set(feedQuery.types)].sort(),
          after: feedQuery.createdAfter,
          before: feedQuery.createdBefore,
        };
        const afterSeq = query.cursor
          ? cursorInteger(cursors.decode(EVENTS_LIST, query.cursor, binding), 's')
          : null;
        const page = await feed.page(workspaceId, feedQuery, afterSeq, query.limit ?? 100);
        const nextCursor =
          page.nextSeq === null ? null : cursors.encode(EVENTS_LIST, { s: page.nextSeq }, binding);
        // The envelopes go out byte for byte as stored, not re-serialised.
        const body = `{"data":[${page.events.map((event) => event.payload).join(',')}],"next_cursor":${JSON.stringify(nextCursor)},"has_more":${page.hasMore}}`;
        return reply.type('application/json; charset=utf-8').send(Buffer.from(body));
      },
    );

    app.get(
      '/v1/events/:event_id',
      {
        config: { scope: 'webhooks:read' },
        schema: {
          tags: ['events'],
          summary: 'Get an event',
          description:
            'The envelope exactly as stored and sent to subscribers (`webhook-id` is its `event_id`).',
          params: EventIdParams,
          response: { 200: EventSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const event = await events.get(principalOf(request).workspaceId, request.params.event_id);
        if (!event) throw new ClickwireError('CW_ERR_NOT_FOUND', 'No such event in this workspace');
        return reply.type('application/json; charset=utf-8').send(Buffer.from(event.payload));
      },
    );
  };
}

/** `type=a&type=b,c` → the event types; a 400 naming `querystring/type` for an unknown one. */
function eventTypes(values: readonly string[]): EventType[] {
  const types: EventType[] = [];
  for (const value of values) {
    for (const name of value.split(',')) {
      const type = name.trim();
      if (!(EVENT_TYPES as readonly string[]).includes(type)) {
        throw fieldError(
          'CW_ERR_VALIDATION',
          'querystring/type',
          `"${type}" is not an event type (${EVENT_TYPES.join(', ')})`,
        );
      }
      types.push(type as EventType);
    }
  }
  return types;
}
