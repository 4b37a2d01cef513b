import { blockedAddressReason, isIpLiteral } from './address-policy.js';
import { SUBSCRIPTION_LIMITS } from './subscription.js';

export type SubscriberUrlCheck =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Where a subscription may point (DESIGN §7): an absolute https URL without credentials. Plain
 * http only to loopback, and loopback, private and other internal addresses only when
 * `CLICKWIRE_WEBHOOK_ALLOW_PRIVATE` is on. This check on the text is an early, friendly refusal;
 * the real guard is on the address connected to, after DNS resolution.
 */
export function checkSubscriberUrl(
  input: string,
  options: { readonly allowPrivate: boolean },
): SubscriberUrlCheck {
  if (input.length > SUBSCRIPTION_LIMITS.maxUrlLength)
    return { ok: false, reason: `must be at most ${SUBSCRIPTION_LIMITS.maxUrlLength} characters` };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'must be an absolute URL' };
  }
  if (url.username !== '' || url.password !== '')
    return { ok: false, reason: 'must not carry credentials; put them in the path or query instead' };
  if (url.hash !== '') return { ok: false, reason: 'must not have a fragment' };
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:') {
    if (!(options.allowPrivate && loopback))
      return {
        ok: false,
        reason: 'must use https (http only to loopback, with CLICKWIRE_WEBHOOK_ALLOW_PRIVATE=true)',
      };
  } else if (url.protocol !== 'https:') {
    return { ok: false, reason: 'must use https' };
  }
  if (!options.allowPrivate) {
    if (loopback) return { ok: false, reason: 'must not point at this machine' };
    if (isIpLiteral(url.hostname)) {
      const blocked = blockedAddressReason(url.hostname);
      if (blocked !== null)
        return { ok: false, reason: `must not point at a ${blocked.replace('_', '-')} address` };
    }
  }
  return { ok: true, url: url.toString() };
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  return isIpLiteral(hostname) && blockedAddressReason(hostname) === 'loopback';
}
