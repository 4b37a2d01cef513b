import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ClickwireError } from '../kernel/errors.js';

/**
 * Opaque, tamper-proof page cursors: base64url JSON, then a truncated HMAC over it with an
 * instance key. A cursor names the list it belongs to, so one list's cursor is refused by another.
 *
 * A cursor can also be bound to the query it was issued for (the caller's workspace, filters and
 * order — any JSON value that is equal exactly when the query is): it keeps a digest of it and is
 * refused when the next request asks something else, since its position means nothing there.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(list: string, position: Record<string, string | number>, binding?: unknown): string {
    const payload =
      binding === undefined ? { l: list, p: position } : { l: list, p: position, b: digest(binding) };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /**
   * The position inside a cursor; a 400 `invalid-cursor` problem for anything forged, edited or
   * foreign, and for a cursor bound to another query than `binding`.
   */
  decode(list: string, cursor: string, binding?: unknown): Record<string, unknown> {
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
    if (binding !== undefined && parsed.b !== digest(binding)) {
      throw new ClickwireError(
        'CW_ERR_INVALID_CURSOR',
        'The cursor was issued for other filters or another order; keep them while paging, or start again without a cursor',
        [{ field: 'querystring/cursor', message: 'was issued for other filters' }],
      );
    }
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

/** A whole number from a decoded position; a cursor is signed, so anything else is another list's cursor. */
export function cursorInteger(position: Record<string, unknown>, key: string): number {
  const value = position[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid();
  return value;
}

function digest(binding: unknown): string {
  return createHash('sha256').update(JSON.stringify(binding)).digest('base64url').slice(0, 16);
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
