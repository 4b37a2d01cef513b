import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildApiApp } from '../api/api-app.js';
import { CursorCodec } from '../api/cursor-codec.js';
import { publicUrlOf } from '../config/public-url.js';
import { DomainService } from '../domains/domain-service.js';
import { LinkService } from '../links/link-service.js';
import { TenancyService } from '../tenancy/tenancy-service.js';
import type { RoleContext, RunningRole } from './role-context.js';

export interface RunningApi extends RunningRole {
  readonly port: number;
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
  const app = await buildApiApp({
    tenancy: new TenancyService({ workspaces: backend.workspaces, apiKeys: backend.apiKeys, clock }),
    links: new LinkService({
      links: backend.links,
      domains: backend.domains,
      clock,
      defaultShortUrlBase: publicUrlOf(config, edge?.port),
      onLinkChanged: onRoutingChanged,
    }),
    domains: new DomainService(backend.domains, clock, onRoutingChanged),
    cursors: new CursorCodec(Buffer.from(cursorKey, 'hex')),
    logger,
    maxBodyBytes: config.apiMaxBodyBytes,
    isReady: async () => (await backend.workspaces.get(context.defaultWorkspaceId)) !== null,
  });
  await app.listen({ port: config.apiPort, host: config.host });
  const port = (app.server.address() as AddressInfo).port;
  logger.info({ role: 'api', host: config.host, port }, 'API listening');
  return {
    name: 'api',
    port,
    stop: async () => {
      await app.close();
    },
  };
}
