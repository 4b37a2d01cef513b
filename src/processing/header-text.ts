import type { CapturedHeaderName, CapturedHeaders } from '../click-log/raw-click.js';

/**
 * The value of a captured header, or `undefined` when it is absent — or is not a string, which the
 * types forbid but a hand-edited or corrupted log row might still hold. Classification and
 * enrichment read headers only through this so that no stored value can make them throw.
 */
export function headerText(headers: CapturedHeaders, name: CapturedHeaderName): string | undefined {
  const value: unknown = headers[name];
  return typeof value === 'string' ? value : undefined;
}
