import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ClickAnalytics } from '../analytics/click-analytics.js';
import { buildApiApp } from '../api/api-app.js';
import type { RegisteredRoute } from '../api/api-qualities.js';
import { CursorCodec } from '../api/cursor-codec.js';
import { ClickExport } from '../clicks/click-export.js';
import { ClickList } from '../clicks/click-list.js';
import { ClickSimulator } from '../clicks/click-simulator.js';
import { publicUrlOf } from '../config/public-url.js';
import { DomainService } from '../domains/domain-service.js';
import { EventFeed } from '../events/event-feed.js';
import { LinkService } from '../links/link-service.js';
import { DailySalts } from '../privacy/daily-salts.js';
import { ErasureService } from '../privacy/erasure-service.js';
import { WorkspaceSettingsService } from '../privacy/workspace-settings-service.js';
import { TenancyService } from '../tenancy/tenancy-service.js';
import { apiQualitiesFor } from './api-qualities.js';
import { PROCESSOR_CONSUMER } from './processor.js';
import type { RoleContext, RunningRole } from './role-context.js';
import { webhookServiceFor } from './webhook-api.js';

export interface RunningApi extends RunningRole {
  readonly port: number;
  /** Every route the API registered, as Fastify reported them. */
  readonly routes: readonly RegisteredRoute[];
}

/** Name of the instance setting that holds the cursor signing key. */
const CURSOR_KEY_SETTING = 'cursor_signing_key';

/** What the API needs of an edge running in the same process. */
export interface SameProcessEdge {
  /** The port the edge is bound to (the configured one, or the one the OS chose for port 0). */
  readonly port: number;
  /** Drops the edge's cached routes, so a link or domain change is served at once. */
  readonly invalidateRoutes: () => void;
}

/** The REST API role; `edge` is the redirect edge of the same process, when there is one. */
export async function startApi(context: RoleContext, edge: SameProcessEdge | null): Promise<RunningApi> {
  const { backend, clock, logger, config } = context;
  const onRoutingChanged = () => edge?.invalidateRoutes();
  const cursorKey = await backend.settings.getOrCreate(CURSOR_KEY_SETTING, randomBytes(32).toString('hex'));
  // Its HTTP client (the test endpoint's) is closed when the API stops.
  const webhooks = webhookServiceFor(context);
  const tenancy = new TenancyService({ workspaces: backend.workspaces, apiKeys: backend.apiKeys, clock });
  const erasures = new ErasureService({
    store: backend.erasures,
    salts: backend.ipSalts,
    clickLog: backend.clickLogPruning,
    links: backend.links,
    clock,
    logger,
  });
  // Erasures a stopped process left unfinished carry on (or, for a visitor, ask to be sent again).
  await erasures.resume();
  const app = await buildApiApp({
    tenancy,
    privacy: {
      settings: new WorkspaceSettingsService({
        tenancy,
        store: backend.workspacePrivacy,
        clock,
        onChanged: onRoutingChanged,
      }),
      erasures,
      exports: new ClickExport(backend.clickReads),
    },
    links: new LinkService({
      links: backend.links,
      domains: backend.domains,
      clock,
      defaultShortUrlBase: publicUrlOf(config, edge?.port),
      onLinkChanged: onRoutingChanged,
    }),
    domains: new DomainService(backend.domains, clock, onRoutingChanged),
    cursors: new CursorCodec(Buffer.from(cursorKey, 'hex')),
    query: {
      clicks: new ClickList(backend.clickReads),
      simulator: new ClickSimulator({
        links: backend.links,
        clickLog: backend.clickLog,
        salts: new DailySalts(backend.ipSalts, clock),
        geo: context.geo,
        clock,
        privacy: backend.workspacePrivacy,
      }),
      analytics: new ClickAnalytics(backend.analytics, PROCESSOR_CONSUMER),
      feed: new EventFeed(backend.eventFeed),
      events: backend.events,
      clock,
    },
    webhooks: webhooks.service,
    logger,
    maxBodyBytes: config.apiMaxBodyBytes,
    isReady: async () => (await backend.workspaces.get(context.defaultWorkspaceId)) !== null,
    qualities: apiQualitiesFor(context),
  });
  await app.listen({ port: config.apiPort, host: config.host });
  const port = (app.server.address() as AddressInfo).port;
  logger.info({ role: 'api', host: config.host, port }, 'API listening');
  return {
    name: 'api',
    port,
    routes: app.registeredRoutes,
    stop: async () => {
      await app.close();
      await erasures.stop();
      await webhooks.close();
    },
  };
}
