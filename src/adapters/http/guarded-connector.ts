import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import dns from 'node:dns';
import type { Socket } from 'node:net';
import { buildConnector } from 'undici';
import {
  type BlockedAddressReason,
  blockedAddressReason,
  isIpLiteral,
} from '../../webhooks/address-policy.js';

/** The connection was refused by the SSRF policy; nothing was sent. */
export class SsrfBlockedError extends Error {
  readonly code = 'CW_SSRF_BLOCKED';
  constructor(
    readonly address: string,
    readonly reason: BlockedAddressReason,
  ) {
    super(`refused to connect to ${address} (${reason.replace('_', '-')} address)`);
    this.name = 'SsrfBlockedError';
  }
}

/** `dns.lookup` with every address returned; tests inject a resolver that maps names to chosen addresses. */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

const systemResolveAll: ResolveAll = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * An undici connector that checks the address it really connects to. Three places, because each
 * closes a different gap:
 * - an IP literal in the URL is checked before connecting (Node never calls `lookup` for one);
 * - a name is resolved by our own `lookup`, and if any of its addresses is forbidden the
 *   connection is refused before a packet is sent (a name that resolves to a public and a private
 *   address is an attack, not a misconfiguration);
 * - once connected, the socket's remote address is checked again, whatever resolved it.
 * Resolution happens per connection, so a DNS answer that changes later (rebinding) is judged again.
 */
export function guardedConnector(
  resolveAll: ResolveAll = systemResolveAll,
  timeoutMs = 10_000,
): buildConnector.connector {
  const lookup = (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: LookupCallback,
  ): void => {
    resolveAll(hostname).then(
      (addresses) => {
        for (const { address } of addresses) {
          const reason = blockedAddressReason(address);
          if (reason !== null) return callback(new SsrfBlockedError(address, reason), []);
        }
        if (addresses.length === 0)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        if ('all' in options && options.all) return callback(null, addresses);
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
  const connect = buildConnector({ lookup, timeout: timeoutMs } as buildConnector.BuildOptions);
  return (options, callback) => {
    if (isIpLiteral(options.hostname)) {
      const reason = blockedAddressReason(options.hostname);
      if (reason !== null) return callback(new SsrfBlockedError(options.hostname, reason), null);
    }
    connect(options, (error, socket) => {
      if (error !== null) return callback(error, null);
      const remote = (socket as Socket).remoteAddress;
      const reason = remote === undefined ? 'invalid' : blockedAddressReason(remote);
      if (reason !== null) {
        socket.destroy();
        return callback(new SsrfBlockedError(remote ?? 'an unknown address', reason), null);
      }
      callback(null, socket);
    });
  };
}
