import { randomInt } from 'node:crypto';

/** Characters an alias may use; the same pattern validates API input and edge paths. */
export const ALIAS_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const ALIAS_MAX_LENGTH = 64;
const ALIAS_REGEX = new RegExp(ALIAS_PATTERN);

/** Generated aliases: 7 base62 characters ≈ 3.5 × 10¹² combinations. */
export const GENERATED_ALIAS_LENGTH = 7;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Paths the edge or the API answer themselves, or that would confuse people as a short link.
 * Compared case-insensitively.
 */
export const RESERVED_ALIASES: ReadonlySet<string> = new Set([
  'v1',
  'v2',
  'api',
  'docs',
  'openapi',
  'openapi.json',
  'healthz',
  'readyz',
  'metrics',
  'robots.txt',
  'favicon.ico',
  'admin',
  'dashboard',
  'login',
  'logout',
  'static',
  'assets',
  'well-known',
  '.well-known',
]);

export function isValidAlias(alias: string): boolean {
  return ALIAS_REGEX.test(alias);
}

export function isReservedAlias(alias: string): boolean {
  return RESERVED_ALIASES.has(alias.toLowerCase());
}

/** A random alias; callers retry on the (rare) clash. */
export function generateAlias(length = GENERATED_ALIAS_LENGTH): string {
  let alias = '';
  for (let i = 0; i < length; i++) alias += BASE62[randomInt(BASE62.length)];
  return alias;
}
