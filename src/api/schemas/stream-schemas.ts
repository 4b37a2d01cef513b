import { Type } from '@sinclair/typebox';
import { ClickListQuery } from './click-schemas.js';

/**
 * `GET /v1/stream/clicks`: the filters of `GET /v1/clicks`, but neither paging nor order (a stream
 * is in ingestion order) nor `tag` (a link's tags change; the stream decides each click alone).
 */
export const ClickStreamQuery = Type.Object(
  Type.Omit(ClickListQuery, ['order', 'limit', 'cursor', 'tag']).properties,
  {
    additionalProperties: false,
  },
);

export const ClickStreamHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({
      maxLength: 512,
      description: 'The `id` of the last event received: the stream resumes right after it.',
    }),
  ),
});
