import type { ClickFilter } from './click-filter.js';
import type { ClickReadStore, StoredClick } from './click-read-store.js';

/** Clicks read per page while exporting: one page in memory at a time, whatever the export's size. */
export const EXPORT_PAGE_SIZE = 500;

/**
 * A workspace's clicks for a warehouse load: every click matching the filter once, in the order
 * the processor stored it, up to the clicks stored when the export began. Pages are read only
 * as the consumer asks for more (an async generator pulled by a stream with backpressure), so
 * memory stays flat however many clicks there are. Resuming after click X continues with the
 * clicks stored after X.
 */
export class ClickExport {
  constructor(private readonly store: ClickReadStore) {}

  /** Where an export resuming after this click continues: its ingestion position; `null` if unknown. */
  async positionAfter(workspaceId: string, clickId: string): Promise<number | null> {
    return (await this.store.get(workspaceId, clickId))?.seq ?? null;
  }

  async *clicks(
    workspaceId: string,
    filter: ClickFilter,
    afterSeq: number,
    pageSize = EXPORT_PAGE_SIZE,
  ): AsyncGenerator<StoredClick> {
    const horizon = await this.store.ingestionHorizon();
    let after = afterSeq;
    for (;;) {
      const page = await this.store.listByIngestion(workspaceId, filter, {
        afterSeq: after,
        horizon,
        limit: pageSize,
      });
      for (const click of page) yield click;
      if (page.length < pageSize) return;
      after = page.at(-1)!.seq;
    }
  }
}
