import { createHmac } from 'node:crypto';

/**
 * A visitor for uniqueness: HMAC of `ip_hash` and the user agent under the day's salt. Never stored
 * beyond the uniqueness window, never sent anywhere, and unlinkable across days like `ip_hash`.
 */
export function visitorKey(salt: Buffer, ipHash: string, userAgent: string | undefined): string {
  return createHmac('sha256', salt)
    .update(ipHash)
    .update('\n')
    .update(userAgent ?? '')
    .digest('base64url')
    .slice(0, 22);
}
