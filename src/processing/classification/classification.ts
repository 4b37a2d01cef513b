import type { RawClick } from '../../click-log/raw-click.js';
import type { BurstSignals } from './burst-signals.js';
import type { FraudReason } from './fraud-reason.js';
import type { ReasonCode } from './reason-code.js';
import type { TrafficClass } from './traffic-class.js';

/** The verdict on one click, as it appears in `click.created` (`traffic_class`, `bot_score` …). */
export interface Classification {
  /** What kind of client this is, by the priority rules of `classifyClick`. */
  readonly trafficClass: TrafficClass;
  /** `trafficClass !== 'human'`. */
  readonly isBot: boolean;
  /** Strength of the evidence against a human visit, 0..1 (see `botScore`). Not a restatement of the class: a named preview fetcher scores near 1, a disguised scanner may score lower. */
  readonly botScore: number;
  /** An evasive signal fired: the client may be hiding what it is. Equal to `fraudReason !== null`. */
  readonly isSuspicious: boolean;
  /** The most telling evasive signal, or `null`. */
  readonly fraudReason: FraudReason | null;
  /** Every signal that fired, in `REASON_CODES` order, without duplicates. */
  readonly reasons: readonly ReasonCode[];
}

/** The parts of a raw click that classification reads. A full {@link RawClick} fits. */
export type ClassifiableClick = Pick<RawClick, 'method' | 'headers' | 'asn' | 'asnOrg'>;

/** Facts about a click that need state or configuration, supplied by the caller. */
export interface ClassificationContext {
  /** Recent-click counts for this click's visitor and network; omitted or `null` when not counted. */
  readonly burst?: BurstSignals | null;
  /**
   * Whether the link was served over HTTPS, so that modern browsers send `sec-fetch-*` (they send
   * them to secure origins only). Default `true`; pass `false` for a plain-HTTP deployment, or
   * every click from a modern browser would look like it is missing browser headers.
   */
  readonly expectFetchMetadata?: boolean;
}
