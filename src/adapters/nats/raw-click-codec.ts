import type { RawClick } from '../../click-log/raw-click.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A raw click as a message body: its JSON. Fields added to `RawClick` later travel without a
 * change here; an optional field that is absent stays absent (`simulated`).
 */
export function encodeRawClick(click: RawClick): Uint8Array {
  return encoder.encode(JSON.stringify(click));
}

/**
 * The raw click in a message body, or `null` when the body is not one (not JSON, or missing the
 * fields every click has). Such a message can never be processed, so the caller drops it rather
 * than have it handed out again forever.
 */
export function decodeRawClick(body: Uint8Array): RawClick | null {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const click = value as Partial<Record<keyof RawClick, unknown>>;
  const valid =
    typeof click.clickId === 'string' &&
    typeof click.workspaceId === 'string' &&
    typeof click.occurredAt === 'number' &&
    typeof click.slug === 'string' &&
    click.headers !== null &&
    typeof click.headers === 'object';
  return valid ? (value as RawClick) : null;
}
