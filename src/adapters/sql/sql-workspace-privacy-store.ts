import type { Selectable } from 'kysely';
import {
  DEFAULT_PRIVACY_OPTIONS,
  type PrivacyOptions,
  REFERRER_MODES,
  USER_AGENT_RETENTIONS,
  type WorkspacePrivacy,
} from '../../privacy/privacy-settings.js';
import type { WorkspacePrivacyStore } from '../../privacy/workspace-privacy-store.js';
import type { WorkspacesTable } from './schema.js';
import type { SqlEngine } from './sql-engine.js';
import { bumpRoutingCounter } from './sql-routing-counter.js';

type PrivacyColumns = Pick<
  Selectable<WorkspacesTable>,
  'raw_click_retention_days' | 'event_retention_days' | 'rollup_retention_days' | 'privacy_options'
>;

const COLUMNS = [
  'workspace_id',
  'raw_click_retention_days',
  'event_retention_days',
  'rollup_retention_days',
  'privacy_options',
] as const;

export class SqlWorkspacePrivacyStore implements WorkspacePrivacyStore {
  constructor(private readonly engine: SqlEngine) {}

  async get(workspaceId: string): Promise<WorkspacePrivacy | null> {
    const row = await this.engine.db
      .selectFrom('workspaces')
      .select(COLUMNS)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return row ? fromRow(row) : null;
  }

  async update(workspaceId: string, settings: WorkspacePrivacy): Promise<boolean> {
    return this.engine.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('workspaces')
        .set({
          raw_click_retention_days: settings.retention.rawClickDays,
          event_retention_days: settings.retention.eventDays,
          rollup_retention_days: settings.retention.rollupDays,
          privacy_options: JSON.stringify(settings.privacy),
        })
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await bumpRoutingCounter(trx);
      return true;
    });
  }

  async list(): Promise<{ workspaceId: string; settings: WorkspacePrivacy }[]> {
    const rows = await this.engine.db
      .selectFrom('workspaces')
      .select(COLUMNS)
      .orderBy('workspace_id')
      .execute();
    return rows.map((row) => ({ workspaceId: row.workspace_id, settings: fromRow(row) }));
  }
}

function fromRow(row: PrivacyColumns): WorkspacePrivacy {
  return {
    retention: {
      rawClickDays: Number(row.raw_click_retention_days),
      eventDays: Number(row.event_retention_days),
      rollupDays: row.rollup_retention_days === null ? null : Number(row.rollup_retention_days),
    },
    privacy: parseOptions(row.privacy_options),
  };
}

/** Stored switches over the defaults; a damaged or unknown value reads as its default. */
function parseOptions(json: string): PrivacyOptions {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed !== null && typeof parsed === 'object') stored = parsed as Record<string, unknown>;
  } catch {
    stored = {};
  }
  const flag = (key: keyof PrivacyOptions, fallback: boolean) =>
    typeof stored[key] === 'boolean' ? (stored[key] as boolean) : fallback;
  const d = DEFAULT_PRIVACY_OPTIONS;
  return {
    ipHash: flag('ipHash', d.ipHash),
    ipPrefix: flag('ipPrefix', d.ipPrefix),
    country: flag('country', d.country),
    asn: flag('asn', d.asn),
    referrer: REFERRER_MODES.find((mode) => mode === stored.referrer) ?? d.referrer,
    language: flag('language', d.language),
    userAgent: USER_AGENT_RETENTIONS.find((mode) => mode === stored.userAgent) ?? d.userAgent,
  };
}
