import { type TSchema, Type } from '@sinclair/typebox';

/** RFC 9457 problem details, as every error answer carries them. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Stable URI naming the kind of problem; see docs/errors.md.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.String({ description: 'Catalogue code, e.g. CW_ERR_VALIDATION.' }),
    request_id: Type.String(),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({
            description:
              'The request part, then a JSON pointer into it: body/destination_url, querystring/cursor, params/link_id.',
          }),
          message: Type.String(),
        }),
        { description: 'One entry per offending field.' },
      ),
    ),
  },
  { $id: 'Problem', title: 'Problem' },
);

/** Error answers every authenticated route may give. */
export const ERROR_RESPONSES = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
  404: Type.Ref('Problem'),
  429: Type.Ref('Problem'),
} as const;

/** `{ data, next_cursor, has_more }` around a list of items. */
export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    next_cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` to get the next page; null on the last page.',
    }),
    has_more: Type.Boolean(),
  });
}

export const PageQuery = (maxLimit: number, defaultLimit: number) =>
  Type.Object(
    {
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit, default: defaultLimit })),
      cursor: Type.Optional(
        Type.String({ maxLength: 512, description: 'Opaque cursor from `next_cursor`.' }),
      ),
    },
    { additionalProperties: false },
  );

/** The query of a list that takes no parameters: any parameter is refused, as `PageQuery` refuses unknown ones. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 time, UTC.' });
