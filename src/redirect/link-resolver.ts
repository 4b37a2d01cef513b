import type { DomainStore } from '../domains/domain-store.js';
import type { Link } from '../links/link.js';
import type { LinkStore } from '../links/link-store.js';
import {
  type CapturePrivacy,
  capturePrivacyOf,
  DEFAULT_CAPTURE_PRIVACY,
} from '../privacy/capture-privacy.js';
import type { WorkspacePrivacyStore } from '../privacy/workspace-privacy-store.js';

/** What a `Host` + alias resolves to: the owning workspace and domain, and the link if there is one. */
export interface Route {
  readonly workspaceId: string;
  readonly domainId: string | null;
  readonly link: Link | null;
  /** The workspace's privacy options, resolved (and cached) with the route. */
  readonly privacy: CapturePrivacy;
}

export interface LinkResolverOptions {
  /** Workspace that unknown slugs on unregistered hosts are recorded under (the bootstrap workspace). */
  readonly defaultWorkspaceId: string;
  /** Most routes kept in memory; past it the cache starts over (misses are cheap, floods are not). */
  readonly maxEntries?: number;
  /**
   * Where the workspaces' privacy options come from; loaded once per workspace and cached with
   * the routes (a settings change bumps the routing counter, which empties this cache too).
   * Absent: every workspace gets the defaults.
   */
  readonly workspacePrivacy?: Pick<WorkspacePrivacyStore, 'get'>;
}

/**
 * The edge's in-memory routing table. Hits are a Map lookup with no I/O; misses (negative ones
 * too, so a scan of random paths does not hammer the store) are loaded once and cached.
 *
 * What must stay true: a change to links or domains empties the cache (`invalidate`), and a lookup
 * that started before an invalidation never writes its possibly stale answer back — the
 * generation check below.
 */
export class LinkResolver {
  private readonly routes = new Map<string, Route>();
  private readonly domains = new Map<string, { domainId: string; workspaceId: string } | null>();
  private readonly privacy = new Map<string, CapturePrivacy>();
  private generation = 0;
  private readonly maxEntries: number;

  constructor(
    private readonly links: Pick<LinkStore, 'findLive'>,
    private readonly domainStore: Pick<DomainStore, 'findByHostname'>,
    private readonly options: LinkResolverOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** The cached route, or `undefined` when it must be loaded. */
  peek(hostname: string | null, alias: string): Route | undefined {
    return this.routes.get(routeKey(hostname, alias));
  }

  async resolve(hostname: string | null, alias: string): Promise<Route> {
    const key = routeKey(hostname, alias);
    const cached = this.routes.get(key);
    if (cached) return cached;
    const generation = this.generation;
    const domain = await this.domainFor(hostname);
    const link = await this.links.findLive(domain?.domainId ?? null, alias);
    const workspaceId = domain?.workspaceId ?? this.options.defaultWorkspaceId;
    const route: Route = {
      workspaceId,
      domainId: domain?.domainId ?? null,
      link,
      privacy: await this.privacyFor(workspaceId),
    };
    if (generation === this.generation) {
      if (this.routes.size >= this.maxEntries) this.routes.clear();
      this.routes.set(key, route);
    }
    return route;
  }

  /** Forgets everything; the next request of each route reloads it. */
  invalidate(): void {
    this.generation++;
    this.routes.clear();
    this.domains.clear();
    this.privacy.clear();
  }

  private async privacyFor(workspaceId: string): Promise<CapturePrivacy> {
    const cached = this.privacy.get(workspaceId);
    if (cached) return cached;
    if (!this.options.workspacePrivacy) return DEFAULT_CAPTURE_PRIVACY;
    const generation = this.generation;
    const settings = await this.options.workspacePrivacy.get(workspaceId);
    const privacy = settings ? capturePrivacyOf(settings.privacy) : DEFAULT_CAPTURE_PRIVACY;
    if (generation === this.generation) {
      if (this.privacy.size >= this.maxEntries) this.privacy.clear();
      this.privacy.set(workspaceId, privacy);
    }
    return privacy;
  }

  private async domainFor(
    hostname: string | null,
  ): Promise<{ domainId: string; workspaceId: string } | null> {
    if (hostname === null) return null;
    if (this.domains.has(hostname)) return this.domains.get(hostname) ?? null;
    const generation = this.generation;
    const domain = await this.domainStore.findByHostname(hostname);
    const entry = domain ? { domainId: domain.domainId, workspaceId: domain.workspaceId } : null;
    if (generation === this.generation) {
      if (this.domains.size >= this.maxEntries) this.domains.clear();
      this.domains.set(hostname, entry);
    }
    return entry;
  }
}

function routeKey(hostname: string | null, alias: string): string {
  return `${hostname ?? ''}\u0000${alias}`;
}
