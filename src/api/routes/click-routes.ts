import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import { clickFilterOf } from '../../clicks/click-filter.js';
import type { ClickList } from '../../clicks/click-list.js';
import { clickResource } from '../../clicks/click-resource.js';
import type { ClickSimulator } from '../../clicks/click-simulator.js';
import { ClickwireError } from '../../kernel/errors.js';
import type { WorkspaceSettingsService } from '../../privacy/workspace-settings-service.js';
import { principalOf } from '../authentication.js';
import { type CursorCodec, cursorInteger } from '../cursor-codec.js';
import {
  ClickIdParams,
  ClickListQuery,
  ClickPageSchema,
  ClickSchema,
  SimulateClickBody,
  SimulatedClickSchema,
} from '../schemas/click-schemas.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { retentionNoticeView } from './privacy-views.js';

const CLICKS_LIST = 'clicks';

export interface ClickRoutesDeps {
  readonly clicks: ClickList;
  readonly simulator: ClickSimulator;
  readonly cursors: CursorCodec;
  /** For the raw-retention notice on lists; absent: no notice. */
  readonly privacySettings?: WorkspaceSettingsService;
}

/** Stored clicks: the list (newest first, or sync by ingestion), one click, and simulated clicks. */
export function clickRoutes({
  clicks,
  simulator,
  cursors,
  privacySettings,
}: ClickRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/clicks',
      {
        config: { scope: 'clicks:read' },
        schema: {
          tags: ['clicks'],
          summary: 'List clicks, newest first or in ingestion order',
          description:
            'Filters are ANDed. By default only people (`traffic_class=human`) and no simulated clicks. ' +
            'Newest first (`order=desc`): ordered by `occurred_at`, ties in the order the clicks were stored; ' +
            'the walk that begins without a cursor is a snapshot of the clicks stored at that moment, so ' +
            'paging while clicks keep arriving neither repeats nor skips one — clicks stored later, new or ' +
            'processed late, belong to the next walk. Sync mode (`order=asc`): every click once, in the ' +
            'order it was stored, late-processed ones included; keep `next_cursor` to come back for more.',
          querystring: ClickListQuery,
          response: { 200: ClickPageSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { workspaceId } = principalOf(request);
        const query = request.query;
        const limit = query.limit ?? 100;
        const filter = clickFilterOf(filterInput(query));
        const order = query.order ?? 'desc';
        const binding = { workspace: workspaceId, order, filter };
        const position = query.cursor ? cursors.decode(CLICKS_LIST, query.cursor, binding) : null;
        // Says whether the range reaches back before raw retention (those clicks are gone).
        const retention = privacySettings
          ? {
              retention: retentionNoticeView(
                await privacySettings.retentionNotice(workspaceId, filter.occurredFrom),
              ),
            }
          : {};

        if (order === 'asc') {
          const afterSeq = position === null ? 0 : cursorInteger(position, 'a');
          const page = await clicks.byIngestion(workspaceId, filter, afterSeq, limit);
          return {
            data: page.clicks.map((stored) => clickResource(stored.click)),
            next_cursor: cursors.encode(CLICKS_LIST, { a: page.nextSeq }, binding),
            has_more: page.hasMore,
            ...retention,
          };
        }
        const page = await clicks.newestFirst(
          workspaceId,
          filter,
          position === null
            ? null
            : {
                after: { occurredAt: cursorInteger(position, 'o'), seq: cursorInteger(position, 's') },
                horizon: cursorInteger(position, 'h'),
              },
          limit,
        );
        return {
          data: page.clicks.map((stored) => clickResource(stored.click)),
          next_cursor:
            page.next === null
              ? null
              : cursors.encode(
                  CLICKS_LIST,
                  { o: page.next.after.occurredAt, s: page.next.after.seq, h: page.next.horizon },
                  binding,
                ),
          has_more: page.next !== null,
          ...retention,
        };
      },
    );

    app.get(
      '/v1/clicks/:click_id',
      {
        config: { scope: 'clicks:read' },
        schema: {
          tags: ['clicks'],
          summary: 'Get a click',
          description:
            'The full click, as its `click.created` event carried it plus its ids, with the current verdict ' +
            '(a later burst can re-label it). 404 until the processor has stored it, and for other workspaces’ clicks.',
          params: ClickIdParams,
          response: { 200: ClickSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const stored = await clicks.get(principalOf(request).workspaceId, request.params.click_id);
        if (!stored) throw new ClickwireError('CW_ERR_NOT_FOUND', 'No such click in this workspace');
        return clickResource(stored.click);
      },
    );

    app.post(
      '/v1/clicks/simulate',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['clicks'],
          summary: 'Record a simulated click through the real pipeline',
          description:
            'Appends a click on the link to the click log as the edge would, marked `simulated: true`: the ' +
            'processor classifies, stores and reports it (`click.created`, webhooks) like any other, to try out ' +
            'mappings, payloads and signatures. Simulated clicks are never counted in analytics and are left out ' +
            'of click lists unless `include_simulated=true`. 202: the click is in the log; it can be read at ' +
            '`href` once processed, within moments.',
          body: SimulateClickBody,
          response: { 202: SimulatedClickSchema, 422: Type.Ref('Problem'), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { body } = request;
        const click = await simulator.simulate(principalOf(request).workspaceId, {
          linkId: body.link_id,
          ...(body.user_agent === undefined ? {} : { userAgent: body.user_agent }),
          ...(body.referer === undefined ? {} : { referer: body.referer }),
          ...(body.accept_language === undefined ? {} : { acceptLanguage: body.accept_language }),
          ...(body.country === undefined ? {} : { country: body.country }),
          ...(body.ip === undefined ? {} : { ip: body.ip }),
        });
        const href = `/v1/clicks/${click.clickId}`;
        return reply
          .code(202)
          .header('Location', href)
          .send({ click_id: click.clickId, simulated: true, status: 'accepted', href });
      },
    );
  };
}

/** Query parameters → the filter input; absent stays absent. The click stream takes the same filters. */
export function filterInput(query: Partial<Static<typeof ClickListQuery>>) {
  return {
    ...(query.link_id === undefined ? {} : { linkId: query.link_id }),
    ...(query.campaign_id === undefined ? {} : { campaignId: query.campaign_id }),
    ...(query.tag === undefined ? {} : { tag: query.tag }),
    ...(query.occurred_after === undefined ? {} : { occurredAfter: Date.parse(query.occurred_after) }),
    ...(query.occurred_before === undefined ? {} : { occurredBefore: Date.parse(query.occurred_before) }),
    ...(query.country === undefined ? {} : { country: query.country }),
    ...(query.device_type === undefined ? {} : { deviceType: query.device_type }),
    ...(query.referrer_category === undefined ? {} : { referrerCategory: query.referrer_category }),
    ...(query.traffic_class === undefined ? {} : { trafficClass: query.traffic_class }),
    ...(query.is_unique === undefined ? {} : { isUnique: query.is_unique }),
    ...(query.is_suspicious === undefined ? {} : { isSuspicious: query.is_suspicious }),
    ...(query.include_bots === undefined ? {} : { includeBots: query.include_bots }),
    ...(query.include_suspicious === undefined ? {} : { includeSuspicious: query.include_suspicious }),
    ...(query.include_simulated === undefined ? {} : { includeSimulated: query.include_simulated }),
  };
}
