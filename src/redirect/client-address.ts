import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * Finds the client address of a request. `X-Forwarded-For` is believed only hop by hop from the
 * configured trusted proxies; with none configured the socket's peer is the client, whatever
 * headers say, so nobody can forge their way into another country or hash.
 */
export function clientAddressResolver(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  if (trustedProxies.length === 0) return (req) => req.socket.remoteAddress ?? '';
  const trust = proxyAddr.compile([...trustedProxies]);
  return (req) => proxyAddr(req, trust);
}
