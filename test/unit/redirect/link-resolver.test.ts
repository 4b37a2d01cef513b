import { describe, expect, it } from 'vitest';
import type { Domain } from '../../../src/domains/domain.js';
import type { Link } from '../../../src/links/link.js';
import { LinkResolver } from '../../../src/redirect/link-resolver.js';

const link = (alias: string, destinationUrl: string, domainId: string | null = null): Link => ({
  linkId: `lnk_${alias}`,
  workspaceId: domainId ? 'ws_branded' : 'ws_default',
  domainId,
  alias,
  destinationUrl,
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
});

/** In-memory stand-ins for the two lookups the resolver makes (pure logic under test). */
function fakeStores() {
  const links = new Map<string, Link>();
  const domains = new Map<string, Domain>();
  let lookups = 0;
  let release: (() => void) | null = null;
  return {
    links,
    domains,
    lookups: () => lookups,
    holdNextLookup: () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    release: () => release?.(),
    linkStore: {
      findLive: async (domainId: string | null, alias: string) => {
        lookups++;
        return links.get(`${domainId ?? ''}/${alias}`) ?? null;
      },
    },
    domainStore: { findByHostname: async (hostname: string) => domains.get(hostname) ?? null },
  };
}

describe('link resolver', () => {
  it('serves repeated lookups from memory, negative ones included', async () => {
    const stores = fakeStores();
    stores.links.set('/a', link('a', 'https://a.example/'));
    const resolver = new LinkResolver(stores.linkStore, stores.domainStore, {
      defaultWorkspaceId: 'ws_default',
    });
    expect((await resolver.resolve('x.test', 'a')).link?.destinationUrl).toBe('https://a.example/');
    expect(resolver.peek('x.test', 'a')?.link?.alias).toBe('a');
    expect((await resolver.resolve('x.test', 'missing')).link).toBeNull();
    await resolver.resolve('x.test', 'missing');
    expect(stores.lookups()).toBe(2);
  });

  it('resolves a registered host only to its own links, and unknown hosts to the default domain', async () => {
    const stores = fakeStores();
    stores.domains.set('go.brand.test', {
      domainId: 'dom_1',
      workspaceId: 'ws_branded',
      hostname: 'go.brand.test',
      createdAt: 0,
    });
    stores.links.set('dom_1/sale', link('sale', 'https://brand.example/', 'dom_1'));
    stores.links.set('/sale', link('sale', 'https://default.example/'));
    const resolver = new LinkResolver(stores.linkStore, stores.domainStore, {
      defaultWorkspaceId: 'ws_default',
    });
    expect(await resolver.resolve('go.brand.test', 'sale')).toMatchObject({
      workspaceId: 'ws_branded',
      domainId: 'dom_1',
      link: { destinationUrl: 'https://brand.example/' },
    });
    expect(await resolver.resolve('other.test', 'sale')).toMatchObject({
      workspaceId: 'ws_default',
      domainId: null,
      link: { destinationUrl: 'https://default.example/' },
    });
    expect(await resolver.resolve('go.brand.test', 'nothing')).toMatchObject({
      workspaceId: 'ws_branded',
      link: null,
    });
  });

  it('reloads after invalidate', async () => {
    const stores = fakeStores();
    stores.links.set('/a', link('a', 'https://old.example/'));
    const resolver = new LinkResolver(stores.linkStore, stores.domainStore, {
      defaultWorkspaceId: 'ws_default',
    });
    await resolver.resolve(null, 'a');
    stores.links.set('/a', link('a', 'https://new.example/'));
    resolver.invalidate();
    expect((await resolver.resolve(null, 'a')).link?.destinationUrl).toBe('https://new.example/');
  });

  it('does not cache an answer loaded across an invalidation', async () => {
    const stores = fakeStores();
    stores.links.set('/a', link('a', 'https://old.example/'));
    let releaseLookup: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      releaseLookup = resolve;
    });
    const slowStore = {
      findLive: async (domainId: string | null, alias: string) => {
        const answer = await stores.linkStore.findLive(domainId, alias);
        await gate;
        return answer;
      },
    };
    const resolver = new LinkResolver(slowStore, stores.domainStore, { defaultWorkspaceId: 'ws_default' });
    const stale = resolver.resolve(null, 'a');
    await Promise.resolve();
    resolver.invalidate(); // the link changes while the old answer is on its way
    releaseLookup();
    expect((await stale).link?.destinationUrl).toBe('https://old.example/');
    expect(resolver.peek(null, 'a')).toBeUndefined();
  });
});
