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

/**
 * Visitor keys, memoised: a returning visitor (same salt, address hash and user agent) costs a Map
 * lookup instead of an HMAC. Bounded; the cache starts over when full.
 */
export class VisitorKeys {
  private readonly cache = new Map<string, string>();

  constructor(private readonly maxEntries = 50_000) {}

  /** A name per salt buffer (the daily salts hand out one buffer per day), for the cache keys. */
  private readonly saltIds = new WeakMap<Buffer, string>();

  of(salt: Buffer, ipHash: string, userAgent: string | undefined): string {
    let saltId = this.saltIds.get(salt);
    if (saltId === undefined) {
      saltId = salt.toString('base64');
      this.saltIds.set(salt, saltId);
    }
    const id = `${saltId}\u0000${ipHash}\u0000${userAgent ?? ''}`;
    let key = this.cache.get(id);
    if (key === undefined) {
      key = visitorKey(salt, ipHash, userAgent);
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(id, key);
    }
    return key;
  }
}
