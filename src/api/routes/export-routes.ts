import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import { CSV_HEADER, csvRow } from '../../clicks/click-csv.js';
import type { ClickExport } from '../../clicks/click-export.js';
import { clickFilterOf } from '../../clicks/click-filter.js';
import { clickResource } from '../../clicks/click-resource.js';
import { fieldError } from '../../kernel/errors.js';
import { idPattern } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import { principalOf } from '../authentication.js';
import { ClickListQuery } from '../schemas/click-schemas.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { filterInput } from './click-routes.js';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

const { order: _order, limit: _limit, cursor: _cursor, ...FILTERS } = ClickListQuery.properties;

export const ExportQuery = Type.Object(
  {
    ...FILTERS,
    format: Type.Optional(
      Type.Union(
        EXPORT_FORMATS.map((format) => Type.Literal(format)),
        { description: 'Wins over `Accept` (`application/x-ndjson` or `text/csv`). Default: ndjson.' },
      ),
    ),
    cursor: Type.Optional(
      Type.String({
        pattern: idPattern('click'),
        description:
          'Resume: the `click_id` of the last row received. The export continues with the clicks stored after it.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `GET /v1/exports/clicks`: every matching click, streamed as NDJSON or CSV. */
export function exportRoutes(deps: {
  readonly exports: ClickExport;
  readonly logger: Logger;
}): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/exports/clicks',
      {
        config: { scope: 'clicks:read' },
        schema: {
          tags: ['clicks'],
          summary: 'Export clicks as NDJSON or CSV, streamed',
          description:
            'Takes every filter `GET /v1/clicks` takes. Rows are the click resource, in the order clicks were ' +
            'stored (sync order), up to the clicks stored when the export began; read from the store a page ' +
            'at a time as the client reads, so exports of any size use constant memory. Interrupted? Send ' +
            'the same request with `cursor` = the last `click_id` received. The raw user agent is never exported.',
          querystring: ExportQuery,
          produces: [CONTENT_TYPES.ndjson, CONTENT_TYPES.csv],
          response: {
            200: Type.String({ description: 'NDJSON (one click per line) or CSV (with a header row).' }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId } = principalOf(request);
        const { format: asked, cursor, ...filters } = request.query;
        const format = asked ?? formatFromAccept(request.headers.accept);
        const filter = clickFilterOf(filterInput(filters as Static<typeof ClickListQuery>));
        let afterSeq = 0;
        if (cursor !== undefined) {
          const position = await deps.exports.positionAfter(workspaceId, cursor);
          if (position === null)
            throw fieldError(
              'CW_ERR_INVALID_CURSOR',
              'querystring/cursor',
              'no such click in this workspace',
            );
          afterSeq = position;
        }
        const clicks = deps.exports.clicks(workspaceId, filter, afterSeq);
        const logger = deps.logger;
        async function* lines(): AsyncGenerator<string> {
          if (format === 'csv') yield CSV_HEADER;
          try {
            for await (const stored of clicks) {
              const resource = clickResource(stored.click);
              yield format === 'csv' ? csvRow(resource) : `${JSON.stringify(resource)}\n`;
            }
          } catch (error) {
            // Headers are sent: the cut-short body is the signal; the client resumes by cursor.
            logger.error({ err: error }, 'click export failed mid-stream');
            throw error;
          }
        }
        return reply
          .type(CONTENT_TYPES[format])
          .header('Content-Disposition', `attachment; filename="clicks.${format}"`)
          .send(Readable.from(lines(), { objectMode: false }));
      },
    );
  };
}

function formatFromAccept(accept: string | undefined): ExportFormat {
  if (accept === undefined) return 'ndjson';
  const csv = accept.indexOf('text/csv');
  const ndjson = Math.max(accept.indexOf('application/x-ndjson'), accept.indexOf('application/ndjson'));
  if (csv !== -1 && (ndjson === -1 || csv < ndjson)) return 'csv';
  return 'ndjson';
}
