import { isbot } from 'isbot';
import { BoundedLru } from '../bounded-lru.js';
import { claimsFetchMetadataBrowser } from './fetch-metadata-browsers.js';
import { isHeadlessBrowserAgent } from './headless-browser-agents.js';
import { isLinkPreviewAgent } from './link-preview-agents.js';
import { isSecurityScannerAgent } from './security-scanner-agents.js';

/** What a (non-empty) user-agent string says about its client. Depends on the string only. */
export interface UserAgentTraits {
  /** Names a link-preview fetcher. */
  readonly linkPreview: boolean;
  /** Names a security scanner. */
  readonly securityScanner: boolean;
  /** Matches `isbot`'s crawler and HTTP-library patterns. */
  readonly knownBot: boolean;
  /** Names a headless or scripted browser. */
  readonly headless: boolean;
  /** Starts the way browsers' user agents do (`Mozilla/`, `Opera/`). */
  readonly browserLike: boolean;
  /** Claims a browser version that always sends `sec-fetch-*` on navigations. */
  readonly expectsFetchMetadata: boolean;
}

/** Distinct user agents remembered; a traffic mix has far fewer than this, random junk is evicted. */
export const USER_AGENT_TRAITS_CACHE_SIZE = 5_000;

const cache = new BoundedLru<string, UserAgentTraits>(USER_AGENT_TRAITS_CACHE_SIZE);

const BROWSER_PREFIX = /^(?:Mozilla|Opera)\/\d/;

function computeTraits(userAgent: string): UserAgentTraits {
  return {
    linkPreview: isLinkPreviewAgent(userAgent),
    securityScanner: isSecurityScannerAgent(userAgent),
    knownBot: isbot(userAgent),
    headless: isHeadlessBrowserAgent(userAgent),
    browserLike: BROWSER_PREFIX.test(userAgent),
    expectsFetchMetadata: claimsFetchMetadataBrowser(userAgent),
  };
}

/** The traits of `userAgent`, memoised per string in a bounded LRU (the regexes cost microseconds). */
export function userAgentTraits(userAgent: string): UserAgentTraits {
  return cache.getOrCompute(userAgent, computeTraits);
}
