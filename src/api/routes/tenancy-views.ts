import type { Domain } from '../../domains/domain.js';
import type { ApiKey } from '../../tenancy/api-key.js';
import type { IssuedKey } from '../../tenancy/tenancy-service.js';
import type { Workspace } from '../../tenancy/workspace.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function apiKeyView(key: ApiKey) {
  return {
    key_id: key.keyId,
    workspace_id: key.workspaceId,
    name: key.name,
    scopes: [...key.scopes],
    key_hint: key.keyHint,
    created_at: iso(key.createdAt),
    last_used_at: key.lastUsedAt === null ? null : iso(key.lastUsedAt),
  };
}

export function issuedKeyView(issued: IssuedKey) {
  return { ...apiKeyView(issued.key), key: issued.secret };
}

export function workspaceView(workspace: Workspace) {
  return {
    workspace_id: workspace.workspaceId,
    name: workspace.name,
    created_at: iso(workspace.createdAt),
    uniqueness_rule: workspace.uniquenessRule,
    timezone: workspace.timezone,
  };
}

export function domainView(domain: Domain) {
  return {
    domain_id: domain.domainId,
    workspace_id: domain.workspaceId,
    hostname: domain.hostname,
    created_at: iso(domain.createdAt),
  };
}
