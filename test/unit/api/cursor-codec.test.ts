import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CursorCodec } from '../../../src/api/cursor-codec.js';
import { ClickwireError } from '../../../src/kernel/errors.js';

describe('cursors', () => {
  const codec = new CursorCodec(randomBytes(32));

  it('round-trips a position', () => {
    const cursor = codec.encode('links', { before: 'lnk_01' });
    expect(codec.decode('links', cursor)).toEqual({ before: 'lnk_01' });
    expect(cursor).not.toContain('lnk_01'); // opaque, not readable at a glance
  });

  it('refuses edited, forged, foreign and garbage cursors with invalid-cursor', () => {
    const cursor = codec.encode('links', { before: 'lnk_01' });
    const [body, signature] = cursor.split('.') as [string, string];
    const edited = `${Buffer.from(JSON.stringify({ l: 'links', p: { before: 'lnk_99' } })).toString('base64url')}.${signature}`;
    const otherKey = new CursorCodec(randomBytes(32)).encode('links', { before: 'lnk_01' });
    for (const bad of [edited, otherKey, `${body}.`, body, `${cursor}.x`, '', '!!!', 'a.b']) {
      expect(() => codec.decode('links', bad), bad).toThrow(ClickwireError);
      try {
        codec.decode('links', bad);
      } catch (error) {
        expect((error as ClickwireError).code).toBe('CW_ERR_INVALID_CURSOR');
      }
    }
    expect(() => codec.decode('clicks', cursor)).toThrow(/not issued by this list/);
  });
});
