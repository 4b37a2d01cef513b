import type { UniquenessRule } from '../processing/uniqueness/uniqueness-rule.js';

export interface Workspace {
  readonly workspaceId: string;
  readonly name: string;
  /** The workspace created at bootstrap; unknown slugs on unregistered hosts are recorded under it. */
  readonly isDefault: boolean;
  readonly createdAt: number;
  /** How this workspace decides `is_unique`. */
  readonly uniquenessRule: UniquenessRule;
  /** IANA time zone for calendar-day uniqueness and daily analytics buckets. */
  readonly timezone: string;
}
