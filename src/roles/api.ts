import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildApiApp } from '../api/api-app.js';
import { CursorCodec } from '../api/cursor-codec.js';
import { DomainService } from '../domains/domain-service.js';
import { LinkService } from '../links/link-service.js';
import { TenancyService } from '../tenancy/tenancy-service.js';
import type { RoleContext, RunningRole } from './role-context.js';

export interface RunningApi extends RunningRole {
  readonly port: number;
}

/** Name of the instance setting that holds the cursor signing key. */
const CURSOR_KEY_SETTING = 'cursor_signing_key';

/** The REST API role. `onRoutingChanged` lets an edge in the same process drop stale routes at once. */
export async function startApi(context: RoleContext, onRoutingChanged: () => void): Promise<RunningApi> {
  const { backend, clock, logger, config } = context;
  const cursorKey = await backend.settings.getOrCreate(CURSOR_KEY_SETTING, randomBytes(32).toString('hex'));
  const app = await buildApiApp({
    tenancy: new TenancyService({ workspaces: backend.workspaces, apiKeys: backend.apiKeys, clock }),
    links: new LinkService({
      links: backend.links,
      domains: backend.domains,
      clock,
      defaultShortUrlBase: config.publicUrl,
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
