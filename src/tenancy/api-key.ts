import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Scope } from './scopes.js';

/** Prefix of every key, so secret scanners can find leaked ones. */
export const API_KEY_PREFIX = 'cw_live_';

/** A stored API key: never the key itself, only its hash. */
export interface ApiKey {
  readonly keyId: string;
  readonly workspaceId: string;
  readonly name: string;
  readonly keyHash: string;
  /** Last four characters, to tell keys apart in a listing. */
  readonly keyHint: string;
  readonly scopes: readonly Scope[];
  /** The instance operator may create workspaces; only the bootstrap key is one. */
  readonly isOperator: boolean;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

/** A fresh key: `cw_live_` + 32 base62-ish characters (24 random bytes, base64url). */
export function generateApiKeySecret(): string {
  return API_KEY_PREFIX + randomBytes(24).toString('base64url');
}

/**
 * SHA-256 is enough here: keys carry 192 random bits, so there is nothing to brute-force, and a
 * fast hash lets every request be authenticated without a slow KDF.
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function keyHint(secret: string): string {
  return secret.slice(-4);
}
