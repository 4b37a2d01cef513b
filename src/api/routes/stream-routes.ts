import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { clickFilterOf } from '../../clicks/click-filter.js';
import { matchesClickFilter } from '../../clicks/click-filter-match.js';
import { clickResource } from '../../clicks/click-resource.js';
import type { ClickTail, TailReader } from '../../clicks/click-tail.js';
import { ClickwireError } from '../../kernel/errors.js';
import { principalOf } from '../authentication.js';
import { type CursorCodec, cursorInteger } from '../cursor-codec.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { ClickStreamHeaders, ClickStreamQuery } from '../schemas/stream-schemas.js';
import { SseConnection, sseFrame } from '../sse-connection.js';
import { filterInput } from './click-routes.js';

const STREAM_IDS = 'click-stream';

export interface StreamRoutesDeps {
  readonly tail: ClickTail;
  readonly cursors: CursorCodec;
  readonly heartbeatMs: number;
  readonly maxBufferedEvents: number;
  /** Told each time a reader is dropped for falling behind. */
  readonly onDropped: () => void;
}

/** `GET /v1/stream/clicks`: processed clicks as Server-Sent Events. */
export function streamRoutes(deps: StreamRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const open = new Set<SseConnection>();
    app.addHook('preClose', async () => {
      for (const connection of open) connection.close();
      await deps.tail.close();
    });

    app.get(
      '/v1/stream/clicks',
      {
        config: { scope: 'clicks:read' },
        schema: {
          tags: ['clicks'],
          summary: 'Follow processed clicks as Server-Sent Events',
          description:
            'Each click the processor stores, as an event `click` whose `data` is the click resource, in ingestion ' +
            'order (the order of `GET /v1/clicks?order=asc`), filtered like `GET /v1/clicks` (but without `tag`). ' +
            'Without `Last-Event-ID` the stream starts with clicks stored from now on; with it, right after that ' +
            'event, so a client that reconnects misses nothing. A comment line (`: heartbeat`) is sent periodically. ' +
            'A reader that does not keep up is disconnected rather than buffered without end: reconnect with ' +
            '`Last-Event-ID` to continue.',
          querystring: ClickStreamQuery,
          headers: ClickStreamHeaders,
          response: {
            200: {
              description: 'An endless `text/event-stream`.',
              content: { 'text/event-stream': { schema: Type.String() } },
            },
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId } = principalOf(request);
        const filter = clickFilterOf(filterInput(request.query));
        const binding = { workspace: workspaceId };
        const lastEventId = request.headers['last-event-id'];
        const position =
          lastEventId === undefined
            ? await deps.tail.horizon()
            : resumePosition(deps.cursors, lastEventId, binding);

        // From here on the answer is ours to write: Fastify neither serializes nor ends it.
        reply.hijack();
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value !== undefined) headers[name] = String(value);
        }
        let detach = () => {};
        const connection = new SseConnection(reply.raw, headers, {
          heartbeatMs: deps.heartbeatMs,
          maxBufferedEvents: deps.maxBufferedEvents,
          onClose: (reason) => {
            detach();
            open.delete(connection);
            if (reason === 'dropped') {
              deps.onDropped();
              request.log.info({ req_id: request.id }, 'click stream reader fell behind; dropped');
            }
          },
        });
        open.add(connection);
        const reader: TailReader = {
          workspaceId,
          position,
          deliver: (stored) => {
            if (!matchesClickFilter(filter, stored.click)) return;
            connection.send(() =>
              sseFrame(
                deps.cursors.encode(STREAM_IDS, { a: stored.seq }, binding),
                'click',
                JSON.stringify(clickResource(stored.click)),
              ),
            );
          },
        };
        if (connection.isOpen) detach = deps.tail.attach(reader);
      },
    );
  };
}

/** The ingestion `seq` an event id stands for; a 400 naming the header for anything else. */
function resumePosition(cursors: CursorCodec, lastEventId: string, binding: unknown): number {
  try {
    return cursorInteger(cursors.decode(STREAM_IDS, lastEventId, binding), 'a');
  } catch (error) {
    if (!(error instanceof ClickwireError)) throw error;
    const message = 'is not the id of an event of this workspace’s click stream';
    throw new ClickwireError('CW_ERR_INVALID_CURSOR', `headers/last-event-id ${message}`, [
      { field: 'headers/last-event-id', message },
    ]);
  }
}
