import type { ClickResource } from './click-resource.js';

/** CSV columns of an export, in order: the click resource's fields (its `privacy` as `privacy_mode`). */
export const CSV_COLUMNS = [
  'click_id',
  'workspace_id',
  'link_id',
  'campaign_id',
  'occurred_at',
  'received_at',
  'processed_at',
  'method',
  'device_type',
  'os_family',
  'browser_family',
  'country',
  'region',
  'asn',
  'referrer_category',
  'referrer_host',
  'language',
  'ip_hash',
  'is_unique',
  'uniqueness_rule',
  'traffic_class',
  'bot_score',
  'is_bot',
  'is_suspicious',
  'fraud_reason',
  'reasons',
  'redirect_status',
  'block_reason',
  'privacy_mode',
  'simulated',
] as const satisfies readonly (keyof ClickResource)[];

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

/** One RFC 4180 row: `null` is empty, lists are `|`-joined, text that a spreadsheet would run as a formula is defused. */
export function csvRow(click: ClickResource): string {
  return `${CSV_COLUMNS.map((column) => csvField(click[column])).join(',')}\r\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = Array.isArray(value) ? value.join('|') : String(value);
  if (/^[=+@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
