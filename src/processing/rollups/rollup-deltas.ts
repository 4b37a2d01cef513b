import type { ProcessedClick } from '../processed-click.js';

/** One cell of the hourly rollup: workspace × link × hour × country × device × referrer × class × unique. */
export interface RollupKey {
  readonly workspaceId: string;
  readonly linkId: string | null;
  /** Start of the UTC hour, epoch ms. */
  readonly hour: number;
  readonly country: string | null;
  readonly deviceType: string;
  readonly referrerCategory: string;
  readonly trafficClass: string;
  readonly isUnique: boolean;
}

export interface RollupDelta extends RollupKey {
  readonly clicks: number;
}

const HOUR_MS = 3_600_000;

export function rollupKeyOf(click: ProcessedClick): RollupKey {
  return {
    workspaceId: click.workspaceId,
    linkId: click.linkId,
    hour: Math.floor(click.occurredAt / HOUR_MS) * HOUR_MS,
    country: click.country,
    deviceType: click.deviceType,
    referrerCategory: click.referrerCategory,
    trafficClass: click.trafficClass,
    isUnique: click.isUnique,
  };
}

/** Sums +1/−1 changes per rollup cell, so a batch touches each cell once. Cells that net to 0 are dropped. */
export class RollupDeltas {
  private readonly cells = new Map<string, { key: RollupKey; clicks: number }>();

  add(key: RollupKey, clicks: number): void {
    const id = `${key.workspaceId}\u0000${key.linkId ?? ''}\u0000${key.hour}\u0000${key.country ?? ''}\u0000${key.deviceType}\u0000${key.referrerCategory}\u0000${key.trafficClass}\u0000${key.isUnique ? 1 : 0}`;
    const cell = this.cells.get(id);
    if (cell) cell.clicks += clicks;
    else this.cells.set(id, { key, clicks });
  }

  toList(): RollupDelta[] {
    const list: RollupDelta[] = [];
    for (const { key, clicks } of this.cells.values()) if (clicks !== 0) list.push({ ...key, clicks });
    return list;
  }
}
