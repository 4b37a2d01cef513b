/** A branded hostname a workspace owns; links on it are resolved by `Host` + alias. */
export interface Domain {
  readonly domainId: string;
  readonly workspaceId: string;
  /** Lower-case hostname without port, e.g. `go.example.com`. */
  readonly hostname: string;
  readonly createdAt: number;
}

/** Hostname rules: RFC 1123 labels, at least two of them, at most 253 characters; any letter case. */
export const HOSTNAME_PATTERN =
  '^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$';

/** `Host` header → the hostname a domain would be registered under (lower case, no port, no trailing dot). */
export function hostnameFromHostHeader(host: string | undefined): string | null {
  if (host === undefined || host === '') return null;
  let name = host.toLowerCase();
  if (name.startsWith('[')) return null; // IPv6 literal: never a registered domain
  const colon = name.indexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name === '' ? null : name;
}
