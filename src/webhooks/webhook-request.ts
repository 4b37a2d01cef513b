import type { DueBody } from './delivery-store.js';
import { signatureHeader } from './webhook-signature.js';

/** Sent with every request, so subscribers can tell Clickwire's traffic apart. */
export const USER_AGENT = 'Clickwire-Webhooks/1';

/** A request ready to send: the exact body and the headers that sign it. */
export interface SignedRequest {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Stream numbers of the events it carries (empty for a test). */
  readonly sequences: readonly number[];
}

/**
 * The body of a delivery. A single event goes out as its stored envelope, byte for byte. A batch
 * is `{batch_id, sent_at, events, sequences}` — `sequences[i]` is `events[i]`'s number in the
 * subscription's stream — built by concatenation so the envelopes are not parsed and re-encoded.
 * `null` when there is nothing to send (the event is no longer stored).
 */
export function requestBody(
  body: DueBody,
  webhookId: string,
  sentAt: number,
): { body: string; sequences: number[] } | null {
  switch (body.kind) {
    case 'event':
      return body.payload === null ? null : { body: body.payload, sequences: [body.sequence] };
    case 'test':
      return { body: body.payload, sequences: [] };
    case 'batch': {
      const present = body.events.filter((event) => event.payload !== null);
      if (present.length === 0) return null;
      const sequences = present.map((event) => event.sequence);
      const json =
        `{"batch_id":${JSON.stringify(webhookId)},"sent_at":"${new Date(sentAt).toISOString()}",` +
        `"events":[${present.map((event) => event.payload).join(',')}],"sequences":[${sequences.join(',')}]}`;
      return { body: json, sequences };
    }
  }
}

/**
 * Signs a body under the Standard Webhooks headers. `webhook-timestamp` is the time of this
 * attempt (each retry is signed afresh); `clickwire-sequence` is the highest stream number carried,
 * so a subscriber can notice a gap and fetch what it missed.
 */
export function signRequest(
  webhookId: string,
  content: { body: string; sequences: readonly number[] },
  now: number,
  secrets: readonly string[],
): SignedRequest {
  const timestamp = Math.floor(now / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': webhookId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(webhookId, timestamp, content.body, secrets),
  };
  if (content.sequences.length > 0) headers['clickwire-sequence'] = String(Math.max(...content.sequences));
  return { body: content.body, headers, sequences: content.sequences };
}
