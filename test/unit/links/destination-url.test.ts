import { describe, expect, it } from 'vitest';
import { checkDestinationUrl, DESTINATION_MAX_BYTES } from '../../../src/links/destination-url.js';

describe('destination URLs', () => {
  it('accepts http and https and returns the normalised form', () => {
    expect(checkDestinationUrl('https://example.com/a?b=1#c')).toEqual({
      ok: true,
      url: 'https://example.com/a?b=1#c',
    });
    expect(checkDestinationUrl('HTTP://Example.COM')).toEqual({ ok: true, url: 'http://example.com/' });
    // Non-ASCII is percent-encoded / punycoded, so Location is always plain ASCII.
    expect(checkDestinationUrl('https://bücher.example/straße?q=ä')).toEqual({
      ok: true,
      url: 'https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4',
    });
  });

  it('refuses other schemes', () => {
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'ftp://example.com/',
      'mailto:a@example.com',
      'vbscript:msgbox',
      '//example.com/path',
      '/relative',
      'example.com',
    ]) {
      expect(checkDestinationUrl(url).ok, url).toBe(false);
    }
  });

  it('refuses control characters, so nothing can split the Location header', () => {
    expect(checkDestinationUrl('https://example.com/\r\nSet-Cookie: a=b').ok).toBe(false);
    expect(checkDestinationUrl('https://example.com/\u0000').ok).toBe(false);
    expect(checkDestinationUrl('https://exa\tmple.com/').ok).toBe(false);
  });

  it('refuses credentials in the URL', () => {
    expect(checkDestinationUrl('https://bank.example@evil.example/').ok).toBe(false);
    expect(checkDestinationUrl('https://user:pass@example.com/').ok).toBe(false);
  });

  it('refuses destinations over the byte limit', () => {
    const base = 'https://example.com/?q=';
    expect(checkDestinationUrl(base + 'a'.repeat(DESTINATION_MAX_BYTES - base.length)).ok).toBe(true);
    expect(checkDestinationUrl(base + 'a'.repeat(DESTINATION_MAX_BYTES - base.length + 1)).ok).toBe(false);
    // Counted after normalisation: each "é" becomes six bytes of "%C3%A9".
    expect(checkDestinationUrl(base + 'é'.repeat(400)).ok).toBe(false);
  });
});
