import { createHmac, timingSafeEqual } from 'node:crypto';
import { ClickwireError } from '../kernel/errors.js';

/**
 * Opaque, tamper-proof page cursors: base64url JSON, then a truncated HMAC over it with an
 * instance key. A cursor names the list it belongs to, so one list's cursor is refused by another.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(list: string, position: Record<string, string | number>): string {
    const body = Buffer.from(JSON.stringify({ l: list, p: position })).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The position inside a cursor; a 400 `invalid-cursor` problem for anything forged, edited or foreign. */
  decode(list: string, cursor: string): Record<string, unknown> {
    const [body, signature, extra] = cursor.split('.');
    if (
      body === undefined ||
      signature === undefined ||
      extra !== undefined ||
      !this.verify(body, signature)
    ) {
      throw invalid();
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (!isRecord(parsed) || parsed.l !== list || !isRecord(parsed.p)) throw invalid();
    return parsed.p;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url').slice(0, 22);
  }

  private verify(body: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(): ClickwireError {
  return new ClickwireError(
    'CW_ERR_INVALID_CURSOR',
    'The cursor was not issued by this list or has been altered',
    [{ field: 'querystring/cursor', message: 'not a cursor issued by this list' }],
  );
}
