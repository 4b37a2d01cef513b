import type { DomainStore } from '../domains/domain-store.js';
import { EVENT_SCHEMA_VERSION, type EventType, toStoredEvent } from '../events/event-envelope.js';
import type { Clock } from '../kernel/clock.js';
import { ClickwireError, fieldError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { generateAlias, isReservedAlias, isValidAlias } from './alias.js';
import { checkDestinationUrl } from './destination-url.js';
import type { Link } from './link.js';
import { LINK_LIMITS, type LinkPatch, type NewLinkInput } from './link-input.js';
import { type LinkResource, toLinkResource } from './link-resource.js';
import type { LinkStore } from './link-store.js';

export interface LinkServiceDeps {
  readonly links: LinkStore;
  readonly domains: DomainStore;
  readonly clock: Clock;
  /** Base of short URLs on the default domain, e.g. `https://clk.example.com`. */
  readonly defaultShortUrlBase: string;
  /** Told after every committed change, so this process's edge drops its cached copy at once. */
  readonly onLinkChanged: (link: Link) => void;
}

/** How often a generated alias is retried after clashing with an existing one. */
const GENERATED_ALIAS_ATTEMPTS = 5;

/** Use cases on links: validate, store together with the `link.*` event, and tell the edge. */
export class LinkService {
  constructor(private readonly deps: LinkServiceDeps) {}

  async create(workspaceId: string, input: NewLinkInput): Promise<LinkResource> {
    const now = this.deps.clock.now();
    const domainId = await this.checkDomain(workspaceId, input.domainId ?? null);
    const base = {
      linkId: newId('link', now),
      workspaceId,
      domainId,
      destinationUrl: checkedUrl('/destination_url', input.destinationUrl),
      redirectType: input.redirectType ?? 302,
      campaignId: input.campaignId ?? null,
      channel: input.channel ?? null,
      tags: checkedTags(input.tags ?? []),
      expiresAt: input.expiresAt ?? null,
      disabled: input.disabled ?? false,
      forwardQuery: input.forwardQuery ?? false,
      fallbackUrl: input.fallbackUrl == null ? null : checkedUrl('/fallback_url', input.fallbackUrl),
      createdAt: now,
      updatedAt: now,
    } satisfies Omit<Link, 'alias'>;

    if (input.alias !== undefined) {
      const link: Link = { ...base, alias: checkedAlias(input.alias) };
      return this.store(link, 'link.created', (event) => this.deps.links.insert(link, event));
    }
    for (let attempt = 1; ; attempt++) {
      const link: Link = { ...base, alias: generateAlias() };
      try {
        return await this.store(link, 'link.created', (event) => this.deps.links.insert(link, event));
      } catch (error) {
        const clash = error instanceof ClickwireError && error.code === 'CW_ERR_ALIAS_TAKEN';
        if (!clash || attempt >= GENERATED_ALIAS_ATTEMPTS) throw error;
      }
    }
  }

  async get(workspaceId: string, linkId: string): Promise<LinkResource> {
    const link = await this.deps.links.get(workspaceId, linkId);
    if (!link) throw new ClickwireError('CW_ERR_NOT_FOUND', `No link ${linkId}`);
    return this.resource(link);
  }

  async list(
    workspaceId: string,
    beforeLinkId: string | null,
    limit: number,
  ): Promise<{ links: LinkResource[]; hasMore: boolean }> {
    // One extra row tells whether another page exists without a count query.
    const links = await this.deps.links.list(workspaceId, { beforeLinkId, limit: limit + 1 });
    const page = links.slice(0, limit);
    return {
      links: await Promise.all(page.map((link) => this.resource(link))),
      hasMore: links.length > limit,
    };
  }

  async update(workspaceId: string, linkId: string, patch: LinkPatch): Promise<LinkResource> {
    const current = await this.deps.links.get(workspaceId, linkId);
    if (!current) throw new ClickwireError('CW_ERR_NOT_FOUND', `No link ${linkId}`);
    const link: Link = {
      ...current,
      alias: patch.alias === undefined ? current.alias : checkedAlias(patch.alias),
      domainId:
        patch.domainId === undefined ? current.domainId : await this.checkDomain(workspaceId, patch.domainId),
      destinationUrl:
        patch.destinationUrl === undefined
          ? current.destinationUrl
          : checkedUrl('/destination_url', patch.destinationUrl),
      redirectType: patch.redirectType ?? current.redirectType,
      campaignId: patch.campaignId === undefined ? current.campaignId : patch.campaignId,
      channel: patch.channel === undefined ? current.channel : patch.channel,
      tags: patch.tags === undefined ? current.tags : checkedTags(patch.tags),
      expiresAt: patch.expiresAt === undefined ? current.expiresAt : patch.expiresAt,
      disabled: patch.disabled ?? current.disabled,
      forwardQuery: patch.forwardQuery ?? current.forwardQuery,
      fallbackUrl:
        patch.fallbackUrl === undefined
          ? current.fallbackUrl
          : patch.fallbackUrl === null
            ? null
            : checkedUrl('/fallback_url', patch.fallbackUrl),
      updatedAt: Math.max(this.deps.clock.now(), current.updatedAt),
    };
    return this.store(link, 'link.updated', async (event) => {
      if (!(await this.deps.links.update(link, event))) {
        throw new ClickwireError('CW_ERR_NOT_FOUND', `No link ${linkId}`);
      }
    });
  }

  async delete(workspaceId: string, linkId: string): Promise<void> {
    const current = await this.deps.links.get(workspaceId, linkId);
    if (!current) throw new ClickwireError('CW_ERR_NOT_FOUND', `No link ${linkId}`);
    const now = this.deps.clock.now();
    const gone: Link = { ...current, updatedAt: now };
    await this.store(gone, 'link.deleted', async (event) => {
      if (!(await this.deps.links.delete(workspaceId, linkId, now, event))) {
        throw new ClickwireError('CW_ERR_NOT_FOUND', `No link ${linkId}`);
      }
    });
  }

  /** The short URL people click: the branded domain's, or the default domain's. */
  async resource(link: Link): Promise<LinkResource> {
    let base = this.deps.defaultShortUrlBase;
    if (link.domainId !== null) {
      const domain = await this.deps.domains.get(link.workspaceId, link.domainId);
      if (domain) base = `https://${domain.hostname}`;
    }
    return toLinkResource(link, `${base}/${link.alias}`);
  }

  private async store(
    link: Link,
    eventType: EventType,
    write: (event: ReturnType<typeof toStoredEvent>) => Promise<void>,
  ): Promise<LinkResource> {
    const resource = await this.resource(link);
    const event = toStoredEvent({
      schema_version: EVENT_SCHEMA_VERSION,
      event_id: newId('event', link.updatedAt),
      event_type: eventType,
      occurred_at: new Date(link.updatedAt).toISOString(),
      workspace_id: link.workspaceId,
      data: { link: resource },
    });
    await write(event);
    this.deps.onLinkChanged(link);
    return resource;
  }

  private async checkDomain(workspaceId: string, domainId: string | null): Promise<string | null> {
    if (domainId === null) return null;
    const domain = await this.deps.domains.get(workspaceId, domainId);
    if (!domain) throw fieldError('CW_ERR_UNPROCESSABLE', '/domain_id', 'no such domain in this workspace');
    return domain.domainId;
  }
}

function checkedAlias(alias: string): string {
  if (!isValidAlias(alias)) {
    throw fieldError('CW_ERR_VALIDATION', '/alias', 'must be 1–64 characters of A–Z, a–z, 0–9, _ and -');
  }
  if (isReservedAlias(alias)) throw fieldError('CW_ERR_RESERVED_ALIAS', '/alias', `"${alias}" is reserved`);
  return alias;
}

function checkedUrl(field: string, url: string): string {
  const check = checkDestinationUrl(url);
  if (!check.ok) throw fieldError('CW_ERR_UNSAFE_DESTINATION', field, check.reason);
  return check.url;
}

function checkedTags(tags: readonly string[]): string[] {
  const unique = [...new Set(tags)];
  if (unique.length > LINK_LIMITS.maxTags) {
    throw fieldError('CW_ERR_VALIDATION', '/tags', `at most ${LINK_LIMITS.maxTags} tags`);
  }
  for (const tag of unique) {
    if (tag.length === 0 || tag.length > LINK_LIMITS.maxTagLength) {
      throw fieldError(
        'CW_ERR_VALIDATION',
        '/tags',
        `each tag must be 1–${LINK_LIMITS.maxTagLength} characters`,
      );
    }
  }
  return unique.sort();
}
