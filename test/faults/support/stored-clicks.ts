import { setTimeout as sleep } from 'node:timers/promises';
import { call } from '../../support/api-client.js';

export interface StoredClick {
  readonly click_id: string;
  readonly referrer_host: string | null;
  readonly traffic_class: string;
}

interface ClickPage {
  readonly data: StoredClick[];
  readonly next_cursor: string | null;
  readonly has_more: boolean;
}

/**
 * Every stored click of a link, bots included, through the public API's sync mode (ingestion
 * order), so the check reads what a user would read on any backend.
 */
export async function storedClicksOf(apiUrl: string, key: string, linkId: string): Promise<StoredClick[]> {
  const clicks: StoredClick[] = [];
  let cursor: string | null = null;
  for (;;) {
    const query = new URLSearchParams({ link_id: linkId, include_bots: 'true', order: 'asc', limit: '1000' });
    if (cursor) query.set('cursor', cursor);
    const page = await call<ClickPage>(apiUrl, 'GET', `/v1/clicks?${query}`, { key });
    if (page.status !== 200) throw new Error(`GET /v1/clicks answered ${page.status}: ${page.text}`);
    clicks.push(...page.body.data);
    if (!page.body.has_more || !page.body.next_cursor) return clicks;
    cursor = page.body.next_cursor;
  }
}

/**
 * Waits until the processor has caught up: the stored count reaches `atLeast` and then stays the
 * same for `quietMs`. Returns the last listing.
 */
export async function settledClicksOf(
  apiUrl: string,
  key: string,
  linkId: string,
  options: { readonly atLeast: number; readonly quietMs?: number; readonly timeoutMs?: number },
): Promise<StoredClick[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let last = await storedClicksOf(apiUrl, key, linkId);
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = await storedClicksOf(apiUrl, key, linkId);
    if (now.length !== last.length) stableSince = Date.now();
    last = now;
    if (last.length >= options.atLeast && Date.now() - stableSince >= (options.quietMs ?? 1_500)) return last;
  }
  throw new Error(
    `stored clicks did not settle: ${last.length} stored, at least ${options.atLeast} expected`,
  );
}
