import { randomFillSync } from 'node:crypto';
import { encodeTime, monotonicFactory } from 'ulidx';

/**
 * Stable identifiers are a type prefix plus a ULID: time-sortable, so an id doubles as a cursor
 * and a replay window, and the prefix says what an id is when it turns up in a log or a ticket.
 * ULIDs from one process are monotonic even within the same millisecond.
 */
export const ID_PREFIXES = {
  workspace: 'ws',
  link: 'lnk',
  click: 'clk',
  event: 'evt',
  subscription: 'sub',
  delivery: 'dlv',
  apiKey: 'key',
  domain: 'dom',
  replay: 'rpl',
  erasure: 'era',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/**
 * Cryptographic randomness drawn in blocks: ulidx asks its PRNG once per character, and a
 * `getRandomValues` call per character showed up on the redirect path (an id per click).
 */
const pool = new Uint32Array(2048);
let poolIndex = pool.length;
function pooledRandom(): number {
  if (poolIndex === pool.length) {
    randomFillSync(pool);
    poolIndex = 0;
  }
  return pool[poolIndex++]! / 0x1_0000_0000;
}

const nextUlid = monotonicFactory(pooledRandom);

/** A new id of the given kind, e.g. `clk_01JD3…`. `now` lets callers stamp an id with an injected clock. */
export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${nextUlid(now)}`;
}

const ULID_PATTERN = '[0-9A-HJKMNP-TV-Z]{26}';

/** Pattern an id of the given kind matches; route schemas reuse it so a malformed id is a 400/404, never a query. */
export function idPattern(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}_${ULID_PATTERN}$`;
}

export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(idPattern(kind)).test(value);
}

/**
 * The smallest id of the kind that can be minted at `time`: ids sort by the time they were
 * minted, so `id < idFloor(kind, t)` selects those minted before `t` along an id index.
 */
export function idFloor(kind: IdKind, time: number): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(Math.max(0, Math.floor(time)), 10)}${'0'.repeat(16)}`;
}
