/** Longest destination accepted, in bytes of its normalised form. */
export const DESTINATION_MAX_BYTES = 2048;

export type DestinationCheck = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Validates a redirect target and returns its normalised form (WHATWG URL serialisation: ASCII
 * only, percent-encoded), which is what goes into `Location`. Only http(s) to a named host; no
 * `javascript:`, `data:`, `file:` or other schemes, no embedded credentials (a phishing trick:
 * `https://bank.com@evil.example/`), and nothing that could split a header.
 */
export function checkDestinationUrl(input: string): DestinationCheck {
  // Control characters (CR/LF included) are refused outright rather than silently stripped by the URL parser.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(input))
    return { ok: false, reason: 'must not contain control characters' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: 'must be an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'must use http or https' };
  }
  if (url.hostname === '') return { ok: false, reason: 'must name a host' };
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'must not contain credentials' };
  }
  const normalised = url.href;
  if (Buffer.byteLength(normalised, 'utf8') > DESTINATION_MAX_BYTES) {
    return { ok: false, reason: `must be at most ${DESTINATION_MAX_BYTES} bytes` };
  }
  return { ok: true, url: normalised };
}
