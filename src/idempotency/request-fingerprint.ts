import { createHash } from 'node:crypto';

/**
 * What makes two requests "the same" for an `Idempotency-Key`: method, route, path parameters and
 * body, the body compared as JSON values (key order and whitespace do not matter; any other
 * difference does). A hex SHA-256, so the store keeps no request bodies.
 */
export function requestFingerprint(request: {
  readonly method: string;
  readonly route: string;
  readonly params: unknown;
  readonly body: unknown;
}): string {
  const text = [request.method, request.route, canonicalJson(request.params), canonicalJson(request.body)];
  return createHash('sha256').update(text.join('\u0000')).digest('hex');
}

/** JSON with object keys sorted at every depth; `undefined` (no body) as the empty string. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(sorted(value));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sorted((value as Record<string, unknown>)[key]);
  return out;
}
