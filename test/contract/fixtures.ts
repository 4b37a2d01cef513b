import type { Backend } from '../../src/adapters/backend.js';
import { EVENT_SCHEMA_VERSION, type StoredEvent, toStoredEvent } from '../../src/events/event-envelope.js';
import { newId } from '../../src/kernel/ids.js';
import type { Link } from '../../src/links/link.js';
import type { ApiKey } from '../../src/tenancy/api-key.js';
import type { Workspace } from '../../src/tenancy/workspace.js';

export function aWorkspace(overrides: Partial<Workspace> = {}): Workspace {
  return {
    workspaceId: newId('workspace'),
    name: 'Acme',
    isDefault: false,
    createdAt: 1_700_000_000_000,
    uniquenessRule: 'link_visitor_24h',
    timezone: 'UTC',
    ...overrides,
  };
}

export function aKey(workspaceId: string, overrides: Partial<ApiKey> = {}): ApiKey {
  const keyId = newId('apiKey');
  return {
    keyId,
    workspaceId,
    name: 'key',
    keyHash: Buffer.from(keyId).toString('hex').padEnd(64, '0').slice(0, 64),
    keyHint: 'abcd',
    scopes: ['links:read'],
    isOperator: false,
    createdAt: 1_700_000_000_000,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

export function aLink(workspaceId: string, overrides: Partial<Link> = {}): Link {
  return {
    linkId: newId('link'),
    workspaceId,
    domainId: null,
    alias: `a${Math.random().toString(36).slice(2, 9)}`,
    destinationUrl: 'https://example.com/',
    redirectType: 302,
    campaignId: null,
    channel: null,
    tags: [],
    expiresAt: null,
    disabled: false,
    forwardQuery: false,
    fallbackUrl: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function linkEvent(link: Link, type: 'link.created' | 'link.updated' | 'link.deleted'): StoredEvent {
  return toStoredEvent({
    schema_version: EVENT_SCHEMA_VERSION,
    event_id: newId('event'),
    event_type: type,
    occurred_at: new Date(link.updatedAt).toISOString(),
    workspace_id: link.workspaceId,
    data: { link: { link_id: link.linkId } },
  });
}

/** A workspace with an admin key, stored. */
export async function seedWorkspace(backend: Backend): Promise<Workspace> {
  const workspace = aWorkspace();
  await backend.workspaces.create(workspace, aKey(workspace.workspaceId, { scopes: ['admin'] }));
  return workspace;
}
