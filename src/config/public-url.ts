import type { Config } from './config.js';

/**
 * Base of short URLs on the default domain: `CLICKWIRE_PUBLIC_URL` when set, else the edge's own
 * address — with the port it is really bound to when known (port 0 asks the OS for one). A
 * wildcard listen address is not something people can click, so `localhost` stands in for it.
 */
export function publicUrlOf(
  config: Pick<Config, 'publicUrl' | 'host' | 'edgePort'>,
  boundEdgePort?: number,
): string {
  if (config.publicUrl !== null) return config.publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return `http://${hostInUrl}:${boundEdgePort ?? config.edgePort}`;
}
