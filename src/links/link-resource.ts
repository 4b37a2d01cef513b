import type { Link } from './link.js';

/** A link as the API returns it and as `link.*` events carry it. */
export interface LinkResource {
  readonly link_id: string;
  readonly workspace_id: string;
  readonly alias: string;
  readonly domain_id: string | null;
  readonly short_url: string;
  readonly destination_url: string;
  readonly redirect_type: number;
  readonly campaign_id: string | null;
  readonly channel: string | null;
  readonly tags: string[];
  readonly expires_at: string | null;
  readonly disabled: boolean;
  readonly forward_query: boolean;
  readonly fallback_url: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export function toLinkResource(link: Link, shortUrl: string): LinkResource {
  return {
    link_id: link.linkId,
    workspace_id: link.workspaceId,
    alias: link.alias,
    domain_id: link.domainId,
    short_url: shortUrl,
    destination_url: link.destinationUrl,
    redirect_type: link.redirectType,
    campaign_id: link.campaignId,
    channel: link.channel,
    tags: [...link.tags],
    expires_at: link.expiresAt === null ? null : new Date(link.expiresAt).toISOString(),
    disabled: link.disabled,
    forward_query: link.forwardQuery,
    fallback_url: link.fallbackUrl,
    created_at: new Date(link.createdAt).toISOString(),
    updated_at: new Date(link.updatedAt).toISOString(),
  };
}
