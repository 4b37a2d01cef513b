import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CursorCodec, cursorInteger } from '../../../src/api/cursor-codec.js';
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

  it('binds a cursor to the query it was issued for', () => {
    const filters = { workspace: 'ws_A', order: 'desc', filter: { country: 'DE', linkId: null } };
    const cursor = codec.encode('clicks', { s: 7 }, filters);
    expect(codec.decode('clicks', cursor, { ...filters })).toEqual({ s: 7 });
    for (const other of [
      { ...filters, order: 'asc' },
      { ...filters, workspace: 'ws_B' },
      { ...filters, filter: { country: 'FR', linkId: null } },
      null,
    ]) {
      expect(() => codec.decode('clicks', cursor, other)).toThrow(/other filters/);
    }
    // A bound cursor is refused where a binding is expected and it has none, and the binding is signed.
    expect(() => codec.decode('clicks', codec.encode('clicks', { s: 7 }), filters)).toThrow(/other filters/);
    const [body, signature] = cursor.split('.') as [string, string];
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString()) as { b: string };
    const rebound = Buffer.from(JSON.stringify({ ...parsed, b: 'x'.repeat(16) })).toString('base64url');
    expect(() => codec.decode('clicks', `${rebound}.${signature}`, filters)).toThrow(
      /not issued by this list/,
    );
  });

  it('reads whole numbers out of a position, and nothing else', () => {
    expect(cursorInteger({ s: 12 }, 's')).toBe(12);
    for (const position of [{}, { s: '12' }, { s: 1.5 }, { s: -1 }, { s: 2 ** 60 }]) {
      expect(() => cursorInteger(position, 's')).toThrow(ClickwireError);
    }
  });
});
