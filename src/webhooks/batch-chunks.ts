import { MAX_PAYLOAD_BYTES } from './delivery.js';

/**
 * Bytes of event payloads one batch may carry: the payload limit less room for the batch's own
 * fields (`batch_id`, `sent_at`, the `sequences` list of up to 500 numbers).
 */
export const BATCH_PAYLOAD_BUDGET = MAX_PAYLOAD_BYTES - 8 * 1024;

/**
 * Cuts events into consecutive batches of at most `maxEvents` events and `maxBytes` of payload.
 * Every batch holds at least one event, so an event larger than the budget goes alone (and fails
 * as too large when sent). A missing payload (event no longer stored) weighs nothing.
 */
export function chunkBatch<T extends { readonly payload: string | null }>(
  events: readonly T[],
  maxEvents: number,
  maxBytes: number,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = event.payload === null ? 0 : Buffer.byteLength(event.payload);
    if (current.length > 0 && (current.length >= maxEvents || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
