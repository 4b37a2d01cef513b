import { randomInt } from 'node:crypto';
import type { ClickLog } from '../click-log/click-log.js';
import { type CapturedHeaders, MAX_CAPTURED_HEADER_BYTES, type RawClick } from '../click-log/raw-click.js';
import type { Clock } from '../kernel/clock.js';
import { fieldError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { linkBlockReason } from '../links/link.js';
import type { LinkStore } from '../links/link-store.js';
import { capturePrivacyOf } from '../privacy/capture-privacy.js';
import type { DailySalts } from '../privacy/daily-salts.js';
import { DEFAULT_PRIVACY_MODE_LABEL, DEFAULT_PRIVACY_OPTIONS } from '../privacy/privacy-settings.js';
import type { WorkspacePrivacyStore } from '../privacy/workspace-privacy-store.js';
import type { GeoLookup, NetworkFacts } from '../redirect/geo-lookup.js';
import { type AnonymizedAddress, anonymizeAddress, hashAddress } from '../redirect/ip-anonymizer.js';
import { minimisedHeaders } from '../redirect/raw-click-builder.js';

/** What a simulated click may set; the rest is what a desktop browser following the link would send. */
export interface SimulatedClickInput {
  readonly linkId: string;
  readonly userAgent?: string;
  readonly referer?: string;
  readonly acceptLanguage?: string;
  /** ISO 3166-1 alpha-2; wins over the country of `ip`. */
  readonly country?: string;
  /** Reduced to `ip_hash` and prefix (and looked up for country and network) in memory, as at the edge; never stored. */
  readonly ip?: string;
}

/** Longest header value a simulated click takes: what the edge keeps of a real one. */
export const SIMULATED_HEADER_MAX_LENGTH = MAX_CAPTURED_HEADER_BYTES;

/** A desktop browser's top-level navigation: what a person clicking the link would send. */
const BROWSER_HEADERS: CapturedHeaders = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
  'sec-fetch-site': 'cross-site',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
};

const NO_NETWORK: NetworkFacts = { country: null, asn: null, asnOrg: null };

export interface ClickSimulatorDeps {
  readonly links: Pick<LinkStore, 'get'>;
  readonly clickLog: ClickLog;
  readonly salts: DailySalts;
  /** Loaded on first use: only a simulated click with an `ip` needs the IP databases. */
  readonly geo: () => GeoLookup;
  readonly clock: Clock;
  /** The workspaces' privacy options, applied as the edge applies them; absent: the defaults. */
  readonly privacy?: Pick<WorkspacePrivacyStore, 'get'>;
}

/**
 * Records a simulated click through the real pipeline: a raw click marked `simulated` is appended
 * to the click log exactly as the edge appends one, and the processor classifies, stores and
 * reports it like any other — so mappings, payloads and webhook signatures can be tried out
 * without a browser. Rollups (hence analytics) leave it out.
 */
export class ClickSimulator {
  constructor(private readonly deps: ClickSimulatorDeps) {}

  /** Appends the click; resolves with it once the click log holds it durably. */
  async simulate(workspaceId: string, input: SimulatedClickInput): Promise<RawClick> {
    const { clock, clickLog, salts } = this.deps;
    const link = await this.deps.links.get(workspaceId, input.linkId);
    if (!link) throw fieldError('CW_ERR_UNPROCESSABLE', '/link_id', 'no such link in this workspace');
    const address = input.ip === undefined ? randomBenchmarkingAddress() : anonymizeAddress(input.ip);
    if (!address) throw fieldError('CW_ERR_VALIDATION', '/ip', 'is not an IPv4 or IPv6 address');
    const settings = this.deps.privacy ? await this.deps.privacy.get(workspaceId) : null;
    const captured = capturePrivacyOf(settings?.privacy ?? DEFAULT_PRIVACY_OPTIONS);
    const options = captured.options;
    const network = input.ip === undefined ? NO_NETWORK : this.deps.geo().lookup(address.canonical);
    const now = clock.now();
    const salt = await salts.load(workspaceId, now);
    const blockReason = linkBlockReason(link, now);
    const click: RawClick = {
      clickId: newId('click', now),
      occurredAt: now,
      workspaceId,
      linkId: link.linkId,
      domainId: link.domainId,
      slug: link.alias,
      method: 'GET',
      redirectStatus: blockReason === null ? 'success' : 'blocked',
      blockReason,
      headers: minimisedHeaders(
        {
          ...BROWSER_HEADERS,
          ...(input.userAgent === undefined ? {} : { 'user-agent': input.userAgent }),
          ...(input.acceptLanguage === undefined ? {} : { 'accept-language': input.acceptLanguage }),
          ...(input.referer === undefined ? {} : { referer: input.referer }),
        },
        options,
      ),
      ipHash: options.ipHash ? hashAddress(address.canonical, salt) : null,
      ipPrefix: options.ipPrefix ? address.prefix : null,
      country: options.country ? (input.country ?? network.country) : null,
      asn: options.asn ? network.asn : null,
      asnOrg: options.asn ? network.asnOrg : null,
      simulated: true,
      ...(captured.modeLabel === DEFAULT_PRIVACY_MODE_LABEL ? {} : { privacyMode: captured.modeLabel }),
    };
    await clickLog.append(click);
    return click;
  }
}

/**
 * A random address in 198.18.0.0/15, the block set aside for benchmarking (RFC 2544): it names no
 * real network, and spreads simulated clicks over 512 prefixes, so a few in a row do not look like
 * a scanner's burst from one network.
 */
function randomBenchmarkingAddress(): AnonymizedAddress {
  return anonymizeAddress(`198.${18 + randomInt(2)}.${randomInt(256)}.${1 + randomInt(254)}`)!;
}
