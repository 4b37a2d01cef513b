import type { Clock } from '../kernel/clock.js';
import { ClickwireError } from '../kernel/errors.js';
import type { UniquenessRule } from '../processing/uniqueness/uniqueness-rule.js';
import type { TenancyService } from '../tenancy/tenancy-service.js';
import type { Workspace } from '../tenancy/workspace.js';
import {
  DEFAULT_WORKSPACE_PRIVACY,
  type PrivacyOptions,
  type RetentionSettings,
  rawRetentionStart,
  type WorkspacePrivacy,
} from './privacy-settings.js';
import type { WorkspacePrivacyStore } from './workspace-privacy-store.js';

/** A workspace's settings as `GET /v1/workspace/settings` shows them. */
export interface WorkspaceSettings {
  readonly workspace: Workspace;
  readonly privacy: WorkspacePrivacy;
}

/** A change to the settings; absent parts stay as they are. */
export interface WorkspaceSettingsChange {
  readonly uniquenessRule?: UniquenessRule;
  readonly timezone?: string;
  readonly retention?: Partial<RetentionSettings>;
  readonly privacy?: Partial<PrivacyOptions>;
}

/** How a query's range relates to raw retention, for the notice click and aggregate answers carry. */
export interface RetentionNotice {
  readonly rawClickDays: number;
  /** Raw clicks that occurred before this are deleted (or about to be). */
  readonly rawClicksFrom: number;
  /** `false` when the range reaches before `rawClicksFrom`. */
  readonly rangeWithinRawRetention: boolean;
}

/** How long a workspace's privacy settings are reused by the query routes. */
const CACHE_MS = 2_000;

/**
 * A workspace's counting, retention and privacy settings. A privacy change reaches the edges
 * through the routing change counter (bumped by the store) and, in this process, `onChanged`.
 */
export class WorkspaceSettingsService {
  private readonly cache = new Map<string, { value: WorkspacePrivacy; until: number }>();

  constructor(
    private readonly deps: {
      readonly tenancy: TenancyService;
      readonly store: WorkspacePrivacyStore;
      readonly clock: Clock;
      /** Called after a privacy change, so a same-process edge drops its cached options at once. */
      readonly onChanged?: () => void;
    },
  ) {}

  async get(workspaceId: string): Promise<WorkspaceSettings> {
    const workspace = await this.deps.tenancy.getWorkspace(workspaceId);
    return { workspace, privacy: await this.privacyOf(workspaceId) };
  }

  async update(workspaceId: string, change: WorkspaceSettingsChange): Promise<WorkspaceSettings> {
    let workspace = await this.deps.tenancy.getWorkspace(workspaceId);
    if (change.uniquenessRule !== undefined || change.timezone !== undefined) {
      workspace = await this.deps.tenancy.updateSettings(workspaceId, {
        ...(change.uniquenessRule === undefined ? {} : { uniquenessRule: change.uniquenessRule }),
        ...(change.timezone === undefined ? {} : { timezone: change.timezone }),
      });
    }
    let privacy = await this.privacyOf(workspaceId);
    if (change.retention !== undefined || change.privacy !== undefined) {
      privacy = {
        retention: { ...privacy.retention, ...change.retention },
        privacy: { ...privacy.privacy, ...change.privacy },
      };
      if (!(await this.deps.store.update(workspaceId, privacy)))
        throw new ClickwireError('CW_ERR_NOT_FOUND', `No workspace ${workspaceId}`);
      this.cache.delete(workspaceId);
      this.deps.onChanged?.();
    }
    return { workspace, privacy };
  }

  /** The workspace's privacy settings, cached briefly (queries ask on every request). */
  async privacyOf(workspaceId: string): Promise<WorkspacePrivacy> {
    const now = this.deps.clock.now();
    const cached = this.cache.get(workspaceId);
    if (cached && cached.until > now) return cached.value;
    const value = (await this.deps.store.get(workspaceId)) ?? DEFAULT_WORKSPACE_PRIVACY;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(workspaceId, { value, until: now + CACHE_MS });
    return value;
  }

  /** What raw retention means for a range starting at `from` (`null`: from the beginning). */
  async retentionNotice(workspaceId: string, from: number | null): Promise<RetentionNotice> {
    const { retention } = await this.privacyOf(workspaceId);
    const rawClicksFrom = rawRetentionStart(retention, this.deps.clock.now());
    return {
      rawClickDays: retention.rawClickDays,
      rawClicksFrom,
      rangeWithinRawRetention: from !== null && from >= rawClicksFrom,
    };
  }
}
