import { type PrivacyMode, parsePrivacyModeLabel } from '../privacy/privacy-settings.js';
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
 * `iso` remembering its last answer. The processor asks for the same instants over and over — a
 * click's occurrence in its event envelope and again in its payload (as its receipt, too), and the
 * batch's processing time for every click — and each answer is a `Date` and a string of garbage.
 */
class LastIso {
  private ms = Number.NaN;
  private text = '';
  of(ms: number): string {
    if (ms !== this.ms) {
      this.text = iso(ms);
      this.ms = ms;
    }
    return this.text;
  }
}
/** Occurrence times: asked for by the envelope, then by the payload. */
export const occurredIso = new LastIso();
/** Processing times: one per batch. */
const processedIso = new LastIso();

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
    privacy: privacyOf(click.privacyMode),
    simulated: click.simulated,
  };
}

/**
 * `JSON.stringify(clickPayload(click))`, byte for byte, spelled out: the processor serialises one
 * per event, and building the object to serialise it cost more than the rest of the event. A value
 * the types rule out (`undefined`, which `JSON.stringify` would leave out) takes the slow path.
 */
export function clickPayloadJson(click: ProcessedClick): string {
  missing = false;
  const occurred = occurredIso.of(click.occurredAt);
  const received = click.receivedAt === click.occurredAt ? occurred : iso(click.receivedAt);
  const json =
    `{"click_id":${str(click.clickId)},"occurred_at":"${occurred}","received_at":"${received}"` +
    `,"processed_at":"${processedIso.of(click.processedAt)}","method":${few(click.method)},"device_type":${few(click.deviceType)}` +
    `,"os_family":${few(click.osFamily)},"browser_family":${few(click.browserFamily)},"country":${few(click.country)}` +
    `,"region":${str(click.region)},"asn":${num(click.asn)},"referrer_category":${few(click.referrerCategory)}` +
    `,"referrer_host":${str(click.referrerHost)},"language":${few(click.language)},"ip_hash":${str(click.ipHash)}` +
    `,"is_unique":${bool(click.isUnique)},"uniqueness_rule":${few(click.uniquenessRule)}` +
    `,"traffic_class":${few(click.trafficClass)},"bot_score":${num(click.botScore)},"is_bot":${bool(click.isBot)}` +
    `,"is_suspicious":${bool(click.isSuspicious)},"fraud_reason":${few(click.fraudReason)}` +
    `,"reasons":${JSON.stringify(click.reasons)},"redirect_status":${few(click.redirectStatus)}` +
    `,"block_reason":${few(click.blockReason)},"privacy_mode":${few(click.privacyMode)}` +
    `,"privacy":${privacyJsonOf(click.privacyMode)},"simulated":${bool(click.simulated)}}`;
  return missing ? JSON.stringify(clickPayload(click)) : json;
}

/** Set by the helpers below on a value of a type the click should not have. */
let missing = false;
const other = (): string => {
  missing = true;
  return '';
};
const str = (value: string | null): string =>
  typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : other();
/** {@link str} for fields of few distinct values (enums, families, countries): each quoted once. */
const quotedFew = new Map<string, string>();
const few = (value: string | null): string => {
  if (typeof value !== 'string') return str(value);
  let quoted = quotedFew.get(value);
  if (quoted === undefined) {
    quoted = JSON.stringify(value);
    if (quotedFew.size >= 4096) quotedFew.clear();
    quotedFew.set(value, quoted);
  }
  return quoted;
};
const num = (value: number | null): string =>
  typeof value === 'number'
    ? Number.isFinite(value)
      ? `${value}`
      : 'null'
    : value === null
      ? 'null'
      : other();
const bool = (value: boolean): string => (value === true ? 'true' : value === false ? 'false' : other());

const privacyJson = new Map<string, string>();
function privacyJsonOf(label: string): string {
  if (typeof label !== 'string') return other();
  let json = privacyJson.get(label);
  if (json === undefined) {
    json = JSON.stringify(parsePrivacyModeLabel(label));
    if (privacyJson.size >= 64) privacyJson.clear();
    privacyJson.set(label, json);
  }
  return json;
}

/** Parsed privacy-mode labels: a handful of distinct labels, each parsed once; copies handed out. */
const privacyModes = new Map<string, PrivacyMode>();
function privacyOf(label: string): PrivacyMode {
  let mode = privacyModes.get(label);
  if (mode === undefined) {
    mode = parsePrivacyModeLabel(label);
    if (privacyModes.size >= 64) privacyModes.clear();
    privacyModes.set(label, mode);
  }
  return { ...mode };
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
