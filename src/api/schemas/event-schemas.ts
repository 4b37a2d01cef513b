import { Type } from '@sinclair/typebox';
import { EVENT_TYPES } from '../../events/event-envelope.js';
import { idPattern } from '../../kernel/ids.js';
import { Nullable, Timestamp } from './common.js';

/** The most `type` values one request may name (repeated or comma-separated). */
export const MAX_EVENT_TYPE_PARAMS = 20;

export const EventListQuery = Type.Object(
  {
    type: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        maxItems: MAX_EVENT_TYPE_PARAMS,
        description: `Only these event types: repeat the parameter or separate with commas. One of ${EVENT_TYPES.join(', ')}.`,
      }),
    ),
    created_after: Type.Optional({
      ...Timestamp,
      description: 'Events written at or after this time (the time in their `event_id`).',
    }),
    created_before: Type.Optional({ ...Timestamp, description: 'Events written before this time.' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'Opaque cursor from `next_cursor`; only valid with the filters it was issued for.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The envelope subscribers receive (docs/events/). `data` depends on `event_type`. */
export const EventSchema = Type.Object(
  {
    schema_version: Type.Integer(),
    event_id: Type.String(),
    event_type: Type.String(),
    occurred_at: Type.String({ description: 'When the reported thing happened.' }),
    workspace_id: Type.String(),
    data: Type.Object(
      {},
      { additionalProperties: true, description: 'Depends on `event_type`; see docs/events.' },
    ),
  },
  { $id: 'Event', title: 'Event', additionalProperties: true },
);

export const EventPageSchema = Type.Object({
  data: Type.Array(EventSchema, { description: 'Envelopes exactly as stored and sent to subscribers.' }),
  next_cursor: Nullable(
    Type.String({
      description:
        'Pass as `cursor` (with the same filters) to continue. Set even when `has_more` is false — it then ' +
        'fetches events written from now on — except at the end of a range closed by `created_before`.',
    }),
  ),
  has_more: Type.Boolean({ description: 'More events can be fetched right away.' }),
});

export const EventIdParams = Type.Object({ event_id: Type.String({ pattern: idPattern('event') }) });
