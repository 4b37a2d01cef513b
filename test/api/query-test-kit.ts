import { ulid } from 'ulidx';
import type { CapturedHeaders, RawClick } from '../../src/click-log/raw-click.js';
import { BROWSER_UA, RESIDENTIAL_NETWORK } from '../fixtures/user-agents.js';
import { CHROME_DESKTOP } from '../support/processing-harness.js';

/** Shared by the query API suites (clicks, analytics, events): raw clicks of known kinds, and the resources. */

/** Who makes a seeded click; the processor classifies each as named. */
export const CLIENTS = {
  desktop: CHROME_DESKTOP,
  mobile: {
    'user-agent': BROWSER_UA.chromeAndroid,
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'accept-language': 'fr-FR,fr;q=0.9',
    'sec-fetch-site': 'cross-site',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-dest': 'document',
    'sec-fetch-user': '?1',
  },
  /** `bot` */
  crawler: {
    'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    accept: '*/*',
  },
  /** `link_preview` */
  preview: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', accept: '*/*' },
  /** `prefetch` */
  prefetch: { ...CHROME_DESKTOP, 'sec-purpose': 'prefetch' },
} as const satisfies Record<string, CapturedHeaders>;

export const REFERERS = {
  direct: undefined,
  search: 'https://www.google.com/',
  social: 'https://www.facebook.com/',
} as const;

export interface SeedSpec {
  readonly workspaceId: string;
  readonly linkId: string | null;
  readonly occurredAt: number;
  readonly client?: keyof typeof CLIENTS;
  readonly referer?: keyof typeof REFERERS;
  readonly country?: string | null;
  /** Clicks with the same visitor on the same link within a day are not unique. Default: a new visitor. */
  readonly visitor?: number;
  /** A browser on a datacenter network: human, but suspicious. */
  readonly datacenter?: boolean;
  readonly slug?: string;
}

let seeded = 0;

/**
 * A raw click as the edge would have captured it. Each gets its own /24 network unless it shares a
 * visitor, so no burst rule fires between seeded clicks.
 */
export function seedClick(spec: SeedSpec): RawClick {
  const n = ++seeded;
  const visitor = spec.visitor ?? 1_000_000 + n;
  const referer = REFERERS[spec.referer ?? 'direct'];
  const headers: CapturedHeaders = { ...CLIENTS[spec.client ?? 'desktop'], ...(referer ? { referer } : {}) };
  return {
    // Not `newId`: its ids are monotonic per process, so a past time would get the newest timestamp.
    clickId: `clk_${ulid(spec.occurredAt)}`,
    occurredAt: spec.occurredAt,
    workspaceId: spec.workspaceId,
    linkId: spec.linkId,
    domainId: null,
    slug: spec.slug ?? 'seeded',
    method: 'GET',
    redirectStatus: spec.linkId === null ? 'not_found' : 'success',
    blockReason: null,
    headers,
    ipHash: visitor.toString(16).padStart(32, '0'),
    ipPrefix: `10.${(visitor >> 16) & 255}.${(visitor >> 8) & 255}.0/24`,
    country: spec.country === undefined ? 'DE' : spec.country,
    asn: spec.datacenter ? 16509 : RESIDENTIAL_NETWORK.asn,
    asnOrg: spec.datacenter ? 'AMAZON-02' : RESIDENTIAL_NETWORK.asnOrg,
  };
}

/** The click resource as the API returns it. */
export interface ClickBody {
  readonly click_id: string;
  readonly workspace_id: string;
  readonly link_id: string | null;
  readonly campaign_id: string | null;
  readonly occurred_at: string;
  readonly received_at: string;
  readonly processed_at: string;
  readonly method: string;
  readonly device_type: string;
  readonly os_family: string | null;
  readonly browser_family: string | null;
  readonly country: string | null;
  readonly region: string | null;
  readonly asn: number | null;
  readonly referrer_category: string;
  readonly referrer_host: string | null;
  readonly language: string | null;
  readonly ip_hash: string;
  readonly is_unique: boolean;
  readonly uniqueness_rule: string;
  readonly traffic_class: string;
  readonly bot_score: number;
  readonly is_bot: boolean;
  readonly is_suspicious: boolean;
  readonly fraud_reason: string | null;
  readonly reasons: string[];
  readonly redirect_status: string;
  readonly block_reason: string | null;
  readonly privacy_mode: string;
  readonly simulated: boolean;
}

export interface EnvelopeBody {
  readonly schema_version: number;
  readonly event_id: string;
  readonly event_type: string;
  readonly occurred_at: string;
  readonly workspace_id: string;
  readonly data: Record<string, unknown>;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
