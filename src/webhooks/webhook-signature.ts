import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { secretKey } from './webhook-secret.js';

/** Secret → key object: building the key costs more than hashing a small body, and secrets rarely change. */
const keys = new Map<string, KeyObject>();

function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 10_000) keys.clear();
    key = createSecretKey(secretKey(secret));
    keys.set(secret, key);
  }
  return key;
}

/**
 * The `webhook-signature` header the Standard Webhooks way: `v1,` + base64 HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}`, one per secret, space-separated — during a secret
 * rotation a subscriber holding either secret can verify. `timestampSeconds` is the exact value
 * sent as `webhook-timestamp`, and `body` the exact bytes sent.
 */
export function signatureHeader(
  webhookId: string,
  timestampSeconds: number,
  body: string,
  secrets: readonly string[],
): string {
  return secrets
    .map((secret) => {
      const hmac = createHmac('sha256', keyOf(secret));
      hmac.update(`${webhookId}.${timestampSeconds}.`);
      hmac.update(body);
      return `v1,${hmac.digest('base64')}`;
    })
    .join(' ');
}
