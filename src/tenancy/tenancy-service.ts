import type { Clock } from '../kernel/clock.js';
import { ClickwireError, fieldError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { isKnownTimeZone } from '../processing/uniqueness/calendar-day.js';
import { DEFAULT_UNIQUENESS_RULE } from '../processing/uniqueness/uniqueness-rule.js';
import { type ApiKey, generateApiKeySecret, hashApiKey, keyHint } from './api-key.js';
import type { ApiKeyStore } from './api-key-store.js';
import type { Scope } from './scopes.js';
import type { Workspace } from './workspace.js';
import type { WorkspaceStore } from './workspace-store.js';

/** A key together with its secret — the one moment the secret exists outside the caller's hands. */
export interface IssuedKey {
  readonly key: ApiKey;
  readonly secret: string;
}

export interface BootstrapResult {
  readonly workspace: Workspace;
  /** The admin key created now, or `null` when the store already had workspaces. */
  readonly issued: IssuedKey | null;
}

export interface TenancyServiceDeps {
  readonly workspaces: WorkspaceStore;
  readonly apiKeys: ApiKeyStore;
  readonly clock: Clock;
}

/** How long an authenticated key is trusted from memory before the store is asked again. */
const KEY_CACHE_MS = 5_000;
/** `last_used_at` is written at most this often per key, so reads never queue behind writes. */
const TOUCH_EVERY_MS = 60_000;

/** Workspaces, API keys and authentication. */
export class TenancyService {
  private readonly keyCache = new Map<string, { key: ApiKey | null; until: number }>();
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly deps: TenancyServiceDeps) {}

  /**
   * On an empty store: creates the default workspace and its admin, operator key — from
   * `suppliedSecret` when given, else a fresh one. On a store that has workspaces: does nothing.
   */
  async bootstrap(suppliedSecret: string | null): Promise<BootstrapResult> {
    const existing = await this.deps.workspaces.getDefault();
    if (existing) return { workspace: existing, issued: null };
    try {
      const { workspace, issued } = await this.createWorkspace('Default workspace', {
        isDefault: true,
        isOperator: true,
        secret: suppliedSecret ?? generateApiKeySecret(),
      });
      return { workspace, issued };
    } catch (error) {
      // Another process started at the same time bootstrapped first (one default workspace is a
      // unique index, and so is a supplied key's hash): use what it created.
      const winner = await this.deps.workspaces.getDefault();
      if (winner) return { workspace: winner, issued: null };
      throw error;
    }
  }

  async createWorkspace(
    name: string,
    options: { isDefault?: boolean; isOperator?: boolean; secret?: string } = {},
  ): Promise<{ workspace: Workspace; issued: IssuedKey }> {
    const now = this.deps.clock.now();
    const workspace: Workspace = {
      workspaceId: newId('workspace', now),
      name,
      isDefault: options.isDefault ?? false,
      createdAt: now,
      uniquenessRule: DEFAULT_UNIQUENESS_RULE,
      timezone: 'UTC',
    };
    const issued = this.newKey(workspace.workspaceId, 'Admin key', ['admin'], {
      isOperator: options.isOperator ?? false,
      secret: options.secret,
    });
    await this.deps.workspaces.create(workspace, issued.key);
    return { workspace, issued };
  }

  async getWorkspace(workspaceId: string): Promise<Workspace> {
    const workspace = await this.deps.workspaces.get(workspaceId);
    if (!workspace) throw new ClickwireError('CW_ERR_NOT_FOUND', `No workspace ${workspaceId}`);
    return workspace;
  }

  /** Changes how new clicks of the workspace are counted; clicks already stored keep their verdict. */
  async updateSettings(
    workspaceId: string,
    changes: Partial<Pick<Workspace, 'uniquenessRule' | 'timezone'>>,
  ): Promise<Workspace> {
    const current = await this.getWorkspace(workspaceId);
    if (changes.timezone !== undefined && !isKnownTimeZone(changes.timezone)) {
      throw fieldError('CW_ERR_VALIDATION', '/timezone', 'is not an IANA time zone this server knows');
    }
    const updated = { ...current, ...changes };
    await this.deps.workspaces.updateSettings(workspaceId, updated);
    return updated;
  }

  listWorkspaces(): Promise<Workspace[]> {
    return this.deps.workspaces.list();
  }

  async createKey(workspaceId: string, name: string, scopes: readonly Scope[]): Promise<IssuedKey> {
    const issued = this.newKey(workspaceId, name, scopes, { isOperator: false });
    await this.deps.apiKeys.insert(issued.key);
    return issued;
  }

  listKeys(workspaceId: string): Promise<ApiKey[]> {
    return this.deps.apiKeys.list(workspaceId);
  }

  async revokeKey(workspaceId: string, keyId: string): Promise<void> {
    const key = await this.deps.apiKeys.get(workspaceId, keyId);
    if (!key || !(await this.deps.apiKeys.revoke(workspaceId, keyId, this.deps.clock.now()))) {
      throw new ClickwireError('CW_ERR_NOT_FOUND', `No API key ${keyId}`);
    }
    // Revocation takes effect at once in this process, and within KEY_CACHE_MS in others.
    this.keyCache.delete(key.keyHash);
  }

  /** The live key a bearer secret belongs to, or `null`. */
  async authenticate(secret: string): Promise<ApiKey | null> {
    const hash = hashApiKey(secret);
    const now = this.deps.clock.now();
    const cached = this.keyCache.get(hash);
    let key: ApiKey | null;
    if (cached && cached.until > now) {
      key = cached.key;
    } else {
      // The lookup is by hash, so comparing secrets never happens and cannot leak timing.
      key = await this.deps.apiKeys.findLiveByHash(hash);
      if (this.keyCache.size > 10_000) this.keyCache.clear();
      this.keyCache.set(hash, { key, until: now + KEY_CACHE_MS });
    }
    if (key) this.touch(key, now);
    return key;
  }

  private touch(key: ApiKey, now: number): void {
    const last = this.lastTouched.get(key.keyId) ?? 0;
    if (now - last < TOUCH_EVERY_MS) return;
    this.lastTouched.set(key.keyId, now);
    void this.deps.apiKeys.touch(key.keyId, now).catch(() => this.lastTouched.delete(key.keyId));
  }

  private newKey(
    workspaceId: string,
    name: string,
    scopes: readonly Scope[],
    options: { isOperator: boolean; secret?: string | undefined },
  ): IssuedKey {
    const now = this.deps.clock.now();
    const secret = options.secret ?? generateApiKeySecret();
    const key: ApiKey = {
      keyId: newId('apiKey', now),
      workspaceId,
      name,
      keyHash: hashApiKey(secret),
      keyHint: keyHint(secret),
      scopes: [...scopes],
      isOperator: options.isOperator,
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
    };
    return { key, secret };
  }
}
