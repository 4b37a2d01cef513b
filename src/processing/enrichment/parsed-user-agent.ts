import UAParser from 'ua-parser-js';
import { BoundedLru } from '../bounded-lru.js';
import { deviceTypeFrom } from './device-type.js';
import type { DeviceType } from './enrichment.js';

/** What enrichment keeps from parsing a user agent. */
export interface ParsedUserAgent {
  /** Device type for a client not classified as a bot. */
  readonly deviceType: DeviceType;
  readonly osFamily: string | null;
  readonly browserFamily: string | null;
}

/** Distinct user agents remembered; ua-parser-js costs tens of microseconds per string, a hit ~0.1 µs. */
export const PARSED_USER_AGENT_CACHE_SIZE = 5_000;

/**
 * ua-parser-js takes OS names verbatim from the user agent, so one OS can arrive in several
 * spellings (`linux`, `Linux`). These are folded to one; other names pass through unchanged.
 */
const CANONICAL_OS_NAMES: ReadonlyMap<string, string> = new Map(
  [
    'Linux',
    'Ubuntu',
    'Debian',
    'Fedora',
    'FreeBSD',
    'OpenBSD',
    'NetBSD',
    'Windows',
    'Android',
    'iOS',
    'Mac OS',
  ].map((name) => [name.toLowerCase(), name]),
);

const cache = new BoundedLru<string, ParsedUserAgent>(PARSED_USER_AGENT_CACHE_SIZE);
// ua-parser-js 1.x (MIT). 2.x is AGPL and must not be used.
const parser = new UAParser();

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function parse(userAgent: string): ParsedUserAgent {
  try {
    const result = parser.setUA(userAgent).getResult();
    const osName = nonEmpty(result.os.name);
    return {
      deviceType: deviceTypeFrom(nonEmpty(result.device.type) ?? undefined, osName ?? undefined, userAgent),
      osFamily: osName === null ? null : (CANONICAL_OS_NAMES.get(osName.toLowerCase()) ?? osName),
      browserFamily: nonEmpty(result.browser.name),
    };
  } catch {
    // ua-parser-js is not known to throw, but enrichment must never fail a click.
    return { deviceType: 'unknown', osFamily: null, browserFamily: null };
  }
}

/** Device, OS and browser of `userAgent`, memoised per string in a bounded LRU. */
export function parseUserAgent(userAgent: string): ParsedUserAgent {
  return cache.getOrCompute(userAgent, parse);
}
