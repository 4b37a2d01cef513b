/** What an API key may do (DESIGN §3). `admin` includes every other scope of its workspace. */
export const SCOPES = [
  'links:read',
  'links:write',
  'clicks:read',
  'analytics:read',
  'webhooks:read',
  'webhooks:write',
  'privacy:read',
  'privacy:write',
  'admin',
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  return granted.includes('admin') || granted.includes(needed);
}
