import type { ErrorCategory } from './delivery.js';

/** What one attempt's answer (or failure to get one) means for the delivery. */
export type AttemptVerdict =
  | { readonly kind: 'success' }
  /** A batch was accepted except for these events, which are retried alone. */
  | { readonly kind: 'partial'; readonly failedEventIds: readonly string[] }
  | {
      readonly kind: 'failure';
      readonly category: ErrorCategory;
      /** The wait the subscriber asked for (429/503 `Retry-After`), unclamped; `null` if it did not. */
      readonly retryAfterMs: number | null;
      /** 410 Gone: the endpoint is gone for good, so the subscription is disabled. */
      readonly gone: boolean;
    };

/**
 * Classifies an HTTP answer. Success is any 2xx; a 3xx is a failure (redirects are never followed,
 * so a subscriber cannot steer the dispatcher to another address); 410 disables the subscription;
 * 429 and 503 may say when to come back.
 */
export function verdictOfResponse(
  statusCode: number,
  retryAfterMs: number | null,
  batchFailures: readonly string[] | null,
): AttemptVerdict {
  if (statusCode >= 200 && statusCode < 300) {
    if (batchFailures !== null && batchFailures.length > 0)
      return { kind: 'partial', failedEventIds: batchFailures };
    return { kind: 'success' };
  }
  if (statusCode === 410) return failure('http_4xx', null, true);
  if (statusCode === 429) return failure('http_4xx', retryAfterMs, false);
  if (statusCode === 503) return failure('http_5xx', retryAfterMs, false);
  if (statusCode >= 400 && statusCode < 500) return failure('http_4xx', null, false);
  if (statusCode >= 500 && statusCode < 600) return failure('http_5xx', null, false);
  return failure('invalid_response', null, false);
}

/** Classifies a request that got no usable answer (the transport already named the category). */
export function verdictOfError(category: ErrorCategory): AttemptVerdict {
  return failure(category, null, false);
}

/**
 * The event ids a batch answer names as failed: `{"failed": [...]}` with string entries. A body
 * that is not such an object (empty, text, other JSON) means every event was accepted.
 */
export function failedEventIdsOf(body: string): readonly string[] {
  if (!body.includes('"failed"')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null || !('failed' in parsed)) return [];
  const failed = (parsed as { failed: unknown }).failed;
  if (!Array.isArray(failed)) return [];
  return failed.filter((id): id is string => typeof id === 'string');
}

function failure(category: ErrorCategory, retryAfterMs: number | null, gone: boolean): AttemptVerdict {
  return { kind: 'failure', category, retryAfterMs, gone };
}
