import { ClickwireError } from '../../kernel/errors.js';
import type { CursorCodec } from '../cursor-codec.js';

/**
 * The position of a newest-first list of prefixed ids (subscriptions, deliveries, replays): the
 * last id of the previous page, or `null` without a cursor. The cursor is signed, so a position
 * that is not a string is another list's cursor.
 */
export function beforeIdOf(
  cursors: CursorCodec,
  list: string,
  cursor: string | undefined,
  binding: unknown,
): string | null {
  if (cursor === undefined) return null;
  const { before } = cursors.decode(list, cursor, binding);
  if (typeof before !== 'string')
    throw new ClickwireError('CW_ERR_INVALID_CURSOR', 'The cursor was not issued by this list', [
      { field: 'querystring/cursor', message: 'not a cursor issued by this list' },
    ]);
  return before;
}
