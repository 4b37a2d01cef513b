import type { DomainStore } from '../domains/domain-store.js';
import type { Clock } from '../kernel/clock.js';
import type { LinkStore } from '../links/link-store.js';
import type { WorkspaceStore } from '../tenancy/workspace-store.js';
import type { LinkSnapshot } from './click-payload.js';
import { DEFAULT_UNIQUENESS_RULE, type UniquenessRule } from './uniqueness/uniqueness-rule.js';

export interface WorkspaceClickSettings {
  readonly uniquenessRule: UniquenessRule;
  readonly timezone: string;
  /** Hosts that count as the workspace's own for `referrer_category: internal`. */
  readonly ownHosts: readonly string[];
}

export interface LinkFacts {
  readonly snapshot: LinkSnapshot | null;
  readonly campaignId: string | null;
}

/** How long looked-up links and workspace settings are reused. A change reaches new clicks within this. */
const TTL_MS = 2_000;
const MAX_ENTRIES = 50_000;

/**
 * The links and workspace settings the processor needs per click, cached briefly so a batch of
 * clicks on one link costs one lookup, not one per click.
 */
export class ReferenceData {
  private readonly links = new Map<string, { value: LinkFacts; until: number }>();
  private readonly workspaces = new Map<string, { value: WorkspaceClickSettings; until: number }>();

  constructor(
    private readonly stores: {
      readonly links: Pick<LinkStore, 'get'>;
      readonly workspaces: Pick<WorkspaceStore, 'get'>;
      readonly domains: Pick<DomainStore, 'list'>;
    },
    private readonly clock: Clock,
    /** The default domain's host (from the public URL), always one of every workspace's own hosts. */
    private readonly defaultHost: string | null,
  ) {}

  async workspace(workspaceId: string): Promise<WorkspaceClickSettings> {
    const now = this.clock.now();
    const cached = this.workspaces.get(workspaceId);
    if (cached && cached.until > now) return cached.value;
    const [workspace, domains] = await Promise.all([
      this.stores.workspaces.get(workspaceId),
      this.stores.domains.list(workspaceId),
    ]);
    const ownHosts = domains.map((domain) => domain.hostname);
    if (this.defaultHost) ownHosts.push(this.defaultHost);
    const value: WorkspaceClickSettings = {
      uniquenessRule: workspace?.uniquenessRule ?? DEFAULT_UNIQUENESS_RULE,
      timezone: workspace?.timezone ?? 'UTC',
      ownHosts,
    };
    remember(this.workspaces, workspaceId, value, now);
    return value;
  }

  async link(workspaceId: string, linkId: string | null): Promise<LinkFacts> {
    if (linkId === null) return { snapshot: null, campaignId: null };
    const now = this.clock.now();
    const cached = this.links.get(linkId);
    if (cached && cached.until > now) return cached.value;
    const link = await this.stores.links.get(workspaceId, linkId);
    const value: LinkFacts = link
      ? {
          snapshot: {
            link_id: link.linkId,
            alias: link.alias,
            domain_id: link.domainId,
            campaign_id: link.campaignId,
            channel: link.channel,
            tags: [...link.tags],
          },
          campaignId: link.campaignId,
        }
      : { snapshot: null, campaignId: null };
    remember(this.links, linkId, value, now);
    return value;
  }
}

function remember<T>(
  map: Map<string, { value: T; until: number }>,
  key: string,
  value: T,
  now: number,
): void {
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(key, { value, until: now + TTL_MS });
}
