/**
 * The catalogue of coded errors. Each code has one HTTP status and one problem `type` (RFC 9457),
 * stable across releases and documented in docs/errors.md. Stages throw {@link ClickwireError};
 * the API turns it into `application/problem+json`. Anything else that escapes becomes an opaque
 * 500 with a request id, and its detail goes to the log only.
 */
export const PROBLEM_TYPE_BASE = 'https://clickwire.dev/problems/';

export const ERROR_CATALOGUE = {
  CW_ERR_VALIDATION: { status: 400, slug: 'validation-failed', title: 'The request is not valid' },
  CW_ERR_MALFORMED_REQUEST: {
    status: 400,
    slug: 'malformed-request',
    title: 'The request is not valid HTTP',
  },
  CW_ERR_REQUEST_TIMEOUT: {
    status: 408,
    slug: 'request-timeout',
    title: 'The request took too long to arrive',
  },
  CW_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    slug: 'headers-too-large',
    title: 'The request headers are too large',
  },
  CW_ERR_MALFORMED_JSON: { status: 400, slug: 'malformed-json', title: 'The body is not valid JSON' },
  CW_ERR_INVALID_CURSOR: { status: 400, slug: 'invalid-cursor', title: 'The cursor is not valid' },
  CW_ERR_UNAUTHENTICATED: { status: 401, slug: 'unauthenticated', title: 'A valid API key is required' },
  CW_ERR_INSUFFICIENT_SCOPE: {
    status: 403,
    slug: 'insufficient-scope',
    title: 'The API key lacks the scope this needs',
  },
  CW_ERR_NOT_FOUND: { status: 404, slug: 'not-found', title: 'No such resource' },
  CW_ERR_ROUTE_NOT_FOUND: { status: 404, slug: 'route-not-found', title: 'No such route' },
  CW_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    slug: 'method-not-allowed',
    title: 'The route does not accept this method',
  },
  CW_ERR_ALIAS_TAKEN: {
    status: 409,
    slug: 'alias-taken',
    title: 'The alias is already in use on this domain',
  },
  CW_ERR_HOSTNAME_TAKEN: { status: 409, slug: 'hostname-taken', title: 'The hostname is already registered' },
  CW_ERR_CONFLICT: { status: 409, slug: 'conflict', title: 'The request conflicts with the current state' },
  CW_ERR_IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    slug: 'idempotency-in-progress',
    title: 'A request with this Idempotency-Key is still being processed',
  },
  CW_ERR_PAYLOAD_TOO_LARGE: { status: 413, slug: 'payload-too-large', title: 'The body is too large' },
  CW_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    slug: 'unsupported-media-type',
    title: 'The body must be application/json',
  },
  CW_ERR_UNSAFE_DESTINATION: {
    status: 422,
    slug: 'unsafe-destination',
    title: 'The destination URL is not allowed',
  },
  CW_ERR_RESERVED_ALIAS: { status: 422, slug: 'reserved-alias', title: 'The alias is reserved' },
  CW_ERR_UNSAFE_WEBHOOK_URL: {
    status: 422,
    slug: 'unsafe-webhook-url',
    title: 'The webhook URL is not allowed',
  },
  CW_ERR_UNPROCESSABLE: { status: 422, slug: 'unprocessable', title: 'The request cannot be carried out' },
  CW_ERR_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    slug: 'idempotency-key-reused',
    title: 'The Idempotency-Key was used for a different request',
  },
  CW_ERR_RATE_LIMITED: { status: 429, slug: 'rate-limited', title: 'Too many requests' },
  CW_ERR_INTERNAL: { status: 500, slug: 'internal', title: 'Internal error' },
  CW_ERR_UNAVAILABLE: { status: 503, slug: 'unavailable', title: 'Temporarily unavailable' },
} as const satisfies Record<string, { status: number; slug: string; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** A field-level complaint, so a client can point at the input that was wrong. */
export interface FieldError {
  /**
   * Where the offending input is. In API answers always the request part, then a JSON pointer into it:
   * `body/destination_url`, `body/tags/0`, `querystring/cursor`, `params/link_id` (`body` alone for the
   * body as a whole). Services, which know nothing of HTTP, give just the pointer into their input
   * (`/destination_url`); the API reports that as `body/destination_url`.
   */
  readonly field: string;
  readonly message: string;
}

export class ClickwireError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly fieldErrors: readonly FieldError[] = [],
  ) {
    const entry = ERROR_CATALOGUE[code];
    super(detail ?? entry.title);
    this.name = 'ClickwireError';
    this.status = entry.status;
    this.type = PROBLEM_TYPE_BASE + entry.slug;
    this.title = entry.title;
  }
}

/** Shorthand for a 422/400 about one field. */
export function fieldError(code: ErrorCode, field: string, message: string): ClickwireError {
  return new ClickwireError(code, `${field}: ${message}`, [{ field, message }]);
}
