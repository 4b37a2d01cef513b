/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3): either whole seconds or an HTTP date. Returns
 * the wait in ms from `now` (0 for a date in the past), or `null` when the header is absent or
 * unreadable, in which case the regular schedule applies.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the IMF-fixdate shape is accepted ("Sun, 06 Nov 1994 08:49:37 GMT"): Date.parse alone
  // would take almost anything, including a bare number with a sign.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
