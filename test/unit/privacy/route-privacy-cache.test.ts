import { describe, expect, it } from 'vitest';
import type { Link } from '../../../src/links/link.js';
import { DEFAULT_CAPTURE_PRIVACY } from '../../../src/privacy/capture-privacy.js';
import { DEFAULT_WORKSPACE_PRIVACY, type WorkspacePrivacy } from '../../../src/privacy/privacy-settings.js';
import { LinkResolver } from '../../../src/redirect/link-resolver.js';

/** In-memory stand-ins for the lookups the resolver makes (its caching is the logic under test). */
function resolverWith(settings: Map<string, WorkspacePrivacy>) {
  let privacyLookups = 0;
  const link: Link = {
    linkId: 'lnk_a',
    workspaceId: 'ws_a',
    domainId: null,
    alias: 'a',
    destinationUrl: 'https://example.com/',
    redirectType: 302,
    campaignId: null,
    channel: null,
    tags: [],
    expiresAt: null,
    disabled: false,
    forwardQuery: false,
    fallbackUrl: null,
    createdAt: 0,
    updatedAt: 0,
  };
  const resolver = new LinkResolver(
    { findLive: async (_domain, alias) => (alias === 'a' || alias === 'b' ? { ...link, alias } : null) },
    { findByHostname: async () => null },
    {
      defaultWorkspaceId: 'ws_a',
      workspacePrivacy: {
        get: async (workspaceId) => {
          privacyLookups++;
          return settings.get(workspaceId) ?? null;
        },
      },
    },
  );
  return { resolver, lookups: () => privacyLookups };
}

describe('the edge’s privacy options, cached with its routes', () => {
  it('reads a workspace’s options once for all its routes, and again only after an invalidation', async () => {
    const settings = new Map([['ws_a', DEFAULT_WORKSPACE_PRIVACY]]);
    const { resolver, lookups } = resolverWith(settings);
    expect((await resolver.resolve(null, 'a')).privacy.options.ipHash).toBe(true);
    await resolver.resolve(null, 'b');
    await resolver.resolve(null, 'missing');
    expect(resolver.peek(null, 'a')?.privacy.options.ipHash).toBe(true);
    expect(lookups()).toBe(1);

    settings.set('ws_a', {
      ...DEFAULT_WORKSPACE_PRIVACY,
      privacy: { ...DEFAULT_WORKSPACE_PRIVACY.privacy, ipHash: false },
    });
    resolver.invalidate();
    const route = await resolver.resolve(null, 'a');
    expect(route.privacy.options.ipHash).toBe(false);
    expect(route.privacy.modeLabel).toContain('ip=prefix/24;');
    expect(lookups()).toBe(2);
  });

  it('applies the defaults to a workspace it cannot find', async () => {
    const { resolver } = resolverWith(new Map());
    expect((await resolver.resolve(null, 'a')).privacy).toBe(DEFAULT_CAPTURE_PRIVACY);
  });
});
