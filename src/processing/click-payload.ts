import { parsePrivacyModeLabel } from '../privacy/privacy-settings.js';
import type { ClickVerdict, ProcessedClick } from './processed-click.js';

/** The link as a click event carries it (DESIGN §4 `data.link`). */
export interface LinkSnapshot {
  readonly link_id: string | null;
  readonly alias: string;
  readonly domain_id: string | null;
  readonly campaign_id: string | null;
  readonly channel: string | null;
  readonly tags: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The click as subscribers and the API see it (DESIGN §4 `data.click`). Never carries the user
 * agent, the IP prefix or the full referrer: categories and families only.
 */
export function clickPayload(click: ProcessedClick) {
  return {
    click_id: click.clickId,
    occurred_at: iso(click.occurredAt),
    received_at: iso(click.receivedAt),
    processed_at: iso(click.processedAt),
    method: click.method,
    device_type: click.deviceType,
    os_family: click.osFamily,
    browser_family: click.browserFamily,
    country: click.country,
    region: click.region,
    asn: click.asn,
    referrer_category: click.referrerCategory,
    referrer_host: click.referrerHost,
    language: click.language,
    ip_hash: click.ipHash,
    is_unique: click.isUnique,
    uniqueness_rule: click.uniquenessRule,
    ...verdictPayload(click),
    redirect_status: click.redirectStatus,
    block_reason: click.blockReason,
    privacy_mode: click.privacyMode,
    /** What the edge collected for this click (the workspace's privacy options when it was captured). */
    privacy: parsePrivacyModeLabel(click.privacyMode),
    simulated: click.simulated,
  };
}

export function verdictPayload(verdict: ClickVerdict) {
  return {
    traffic_class: verdict.trafficClass,
    bot_score: verdict.botScore,
    is_bot: verdict.isBot,
    is_suspicious: verdict.isSuspicious,
    fraud_reason: verdict.fraudReason,
    reasons: [...verdict.reasons],
  };
}

export type ClickPayload = ReturnType<typeof clickPayload>;
