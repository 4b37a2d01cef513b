import type { IncomingHttpHeaders } from 'node:http';
import { CAPTURED_HEADERS, type CapturedHeaders, MAX_CAPTURED_HEADER_BYTES } from '../click-log/raw-click.js';
import { hostnameFromHostHeader } from '../domains/domain.js';
import { ALIAS_MAX_LENGTH } from '../links/alias.js';

/**
 * One edge request, normalised once: the path split from the query, the host, and the headers
 * worth keeping, each capped. Everything after this works on plain values.
 */
export interface ClickContext {
  readonly method: 'GET' | 'HEAD';
  /** The request path without the leading slash, capped at the longest alias (longer ones cannot match). */
  readonly slug: string;
  /** The query string without `?`; kept in memory only, for `forward_query`. Never stored. */
  readonly query: string;
  readonly hostname: string | null;
  readonly headers: CapturedHeaders;
}

export function clickContextFromRequest(
  method: 'GET' | 'HEAD',
  url: string,
  headers: IncomingHttpHeaders,
): ClickContext {
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  return {
    method,
    slug: path.slice(1, 1 + ALIAS_MAX_LENGTH + 1),
    query: queryStart === -1 ? '' : url.slice(queryStart + 1),
    hostname: hostnameFromHostHeader(headers.host),
    headers: captureHeaders(headers),
  };
}

function captureHeaders(headers: IncomingHttpHeaders): CapturedHeaders {
  const captured: CapturedHeaders = {};
  for (const name of CAPTURED_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    captured[name] =
      text.length > MAX_CAPTURED_HEADER_BYTES ? text.slice(0, MAX_CAPTURED_HEADER_BYTES) : text;
  }
  return captured;
}
