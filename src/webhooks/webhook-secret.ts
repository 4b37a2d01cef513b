import { randomBytes } from 'node:crypto';

/** Prefix of signing secrets, as the Standard Webhooks libraries expect. */
export const SECRET_PREFIX = 'whsec_';

/** Random bytes in a new secret. */
export const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The HMAC key a secret stands for (the base64 part decoded). */
export function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}
