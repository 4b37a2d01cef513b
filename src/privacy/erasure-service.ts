import { createHash, createHmac, randomBytes } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ClickLogPruning, RawClickSelection } from '../click-log/click-log-pruning.js';
import type { Clock } from '../kernel/clock.js';
import { fieldError } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import type { Logger } from '../kernel/logger.js';
import type { LinkStore } from '../links/link-store.js';
import type { LinkSnapshot } from '../processing/click-payload.js';
import { parseUserAgent } from '../processing/enrichment/parsed-user-agent.js';
import type { ProcessedClick } from '../processing/processed-click.js';
import { visitorKey } from '../processing/uniqueness/visitor-key.js';
import { anonymizeAddress, hashAddress } from '../redirect/ip-anonymizer.js';
import { clickDeletedEvent } from './click-deleted-event.js';
import { utcDay } from './daily-salts.js';
import { type ErasureRequest, type ErasureSelector, loggedSelectorOf, NO_COUNTS } from './erasure-request.js';
import type { ErasureStore, StoredClickSelection } from './erasure-store.js';
import type { IpSaltStore } from './ip-salt-store.js';

/** Stored clicks per transaction: small, so redirects and the processor never wait long on the store. */
const CLICK_BATCH = 200;
/** Raw clicks per delete in the click log, which the edge appends to. */
const RAW_BATCH = 500;

export interface ErasureServiceDeps {
  readonly store: ErasureStore;
  readonly salts: IpSaltStore;
  /** `null` where the click log cannot delete (it then expires raw clicks by age alone). */
  readonly clickLog: ClickLogPruning | null;
  readonly links: Pick<LinkStore, 'get'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What is matched, resolved from a selector with the salts held now. Lives in memory only. */
interface Resolved {
  readonly stored: StoredClickSelection;
  /** Further narrowing of stored clicks (user agent + address: the agent's families must match). */
  readonly accepts: (click: ProcessedClick) => boolean;
  readonly raw: RawClickSelection;
  readonly visitorKeys: readonly string[];
  readonly saltDays: number;
}

/**
 * Erasure requests: logged (never with the address or user agent), idempotent (the same request
 * gives the same receipt), and carried out in the background in bounded batches — stored clicks,
 * their rollup counts, the events and delivery bodies that carry them, the raw clicks in the click
 * log — each erased click announced to subscribers with `click.deleted`.
 *
 * A visitor is found by hashing the address with every salt still held: a salt lives 48 hours,
 * so clicks older than that cannot be linked to an address any more — by anyone — and are not
 * found (they are anonymous already; see docs/privacy.md).
 */
export class ErasureService {
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly deps: ErasureServiceDeps) {}

  /** Logs the request (or finds the same one logged before) and starts it if it is new or failed. */
  async request(
    workspaceId: string,
    selector: ErasureSelector,
    requestedBy: string,
  ): Promise<{ request: ErasureRequest; created: boolean }> {
    const canonical = this.validate(selector);
    const now = this.deps.clock.now();
    const fingerprint = await this.fingerprint(workspaceId, canonical, now);
    const { request, created } = await this.deps.store.create({
      requestId: newId('erasure', now),
      workspaceId,
      fingerprint,
      selector: loggedSelectorOf(canonical),
      status: 'pending',
      requestedBy,
      requestedAt: now,
      startedAt: null,
      finishedAt: null,
      counts: NO_COUNTS,
      error: null,
    });
    // A failed request sent again is tried again, under the same receipt.
    if (created || request.status === 'failed') this.start(request, canonical);
    return { request: (await this.deps.store.get(workspaceId, request.requestId)) ?? request, created };
  }

  get(workspaceId: string, requestId: string): Promise<ErasureRequest | null> {
    return this.deps.store.get(workspaceId, requestId);
  }

  /**
   * Picks up requests a stopped process left unfinished. Link and time-range requests carry on;
   * a visitor request cannot (its address was never stored) and is marked failed, to be sent again.
   */
  async resume(): Promise<void> {
    for (const request of await this.deps.store.unfinished()) {
      const selector = request.selector;
      if (selector.kind === 'visitor') {
        await this.deps.store.setStatus(
          request.requestId,
          'failed',
          this.deps.clock.now(),
          'interrupted by a restart; the address is never stored, so send the request again',
        );
      } else {
        this.start(request, selector);
      }
    }
  }

  /** Resolves once every erasure under way has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Lets the batch in progress finish and stops; unfinished requests resume at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  private start(request: ErasureRequest, selector: ErasureSelector): void {
    if (this.running.has(request.requestId)) return;
    const run = this.run(request, selector).finally(() => this.running.delete(request.requestId));
    this.running.set(request.requestId, run);
  }

  private async run(request: ErasureRequest, selector: ErasureSelector): Promise<void> {
    const { store, clock, logger } = this.deps;
    const id = request.requestId;
    try {
      await store.setStatus(id, 'running', clock.now());
      const resolved = await this.resolve(request.workspaceId, selector);
      if (resolved.saltDays > 0) await store.addCounts(id, { saltDays: resolved.saltDays });
      const links = new Map<string, LinkSnapshot>();
      let afterSeq = 0;
      for (;;) {
        if (this.stopping) return;
        const found = await store.findClicks(request.workspaceId, resolved.stored, afterSeq, CLICK_BATCH);
        if (found.length === 0) break;
        afterSeq = found.at(-1)!.seq;
        const clicks = found.map((f) => f.click).filter(resolved.accepts);
        const at = clock.now();
        const events = [];
        for (const click of clicks)
          events.push(clickDeletedEvent(click, await this.linkOf(click, links), id, at));
        await store.eraseBatch({ requestId: id, workspaceId: request.workspaceId, clicks, events });
        // A short batch was the last one: asking again would only search the same span once more.
        if (found.length < CLICK_BATCH) break;
        await yieldToLoop();
      }
      if (this.deps.clickLog) {
        let raw = 0;
        for (;;) {
          if (this.stopping) return;
          const erased = await this.deps.clickLog.erase(request.workspaceId, resolved.raw, RAW_BATCH);
          raw += erased;
          if (erased < RAW_BATCH) break;
          await yieldToLoop();
        }
        await store.addCounts(id, { rawClicksErased: raw });
        await this.deps.clickLog.scrubFreedSpace();
      }
      await store.deleteVisitorWindows(resolved.visitorKeys);
      await store.scrubFreedSpace();
      await store.setStatus(id, 'completed', clock.now());
      logger.info({ erasure_request_id: id, kind: request.selector.kind }, 'erasure request completed');
    } catch (error) {
      logger.error({ err: error, erasure_request_id: id }, 'erasure request failed');
      await store
        .setStatus(id, 'failed', clock.now(), 'the erasure could not be completed; send the request again')
        .catch(() => undefined);
    }
  }

  private async resolve(workspaceId: string, selector: ErasureSelector): Promise<Resolved> {
    if (selector.kind === 'link') {
      return {
        stored: { ipHashes: null, linkId: selector.linkId, from: null, until: null },
        accepts: () => true,
        raw: { linkId: selector.linkId },
        visitorKeys: [],
        saltDays: 0,
      };
    }
    if (selector.kind === 'time_range') {
      return {
        stored: { ipHashes: null, linkId: null, from: selector.from, until: selector.until },
        accepts: () => true,
        raw: { from: selector.from, until: selector.until },
        visitorKeys: [],
        saltDays: 0,
      };
    }
    const address = anonymizeAddress(selector.ip)!;
    const salts = await this.deps.salts.held(workspaceId);
    const hashes: string[] = [];
    const visitorKeys: string[] = [];
    for (const { salt } of salts) {
      const key = Buffer.from(salt, 'hex');
      const ipHash = hashAddress(address.canonical, key);
      hashes.push(ipHash);
      if (selector.userAgent !== null) visitorKeys.push(visitorKey(key, ipHash, selector.userAgent));
    }
    let accepts: (click: ProcessedClick) => boolean = () => true;
    if (selector.userAgent !== null) {
      // Stored clicks keep the families, not the agent: those of this agent must match.
      const parsed = parseUserAgent(selector.userAgent);
      accepts = (click) => click.osFamily === parsed.osFamily && click.browserFamily === parsed.browserFamily;
    }
    return {
      // A click's `ip_hash` is keyed with the salt of the UTC day it occurred on, so every click
      // these hashes can match occurred on a held salt's day: the search starts at the oldest.
      // Older clicks cannot be linked to the address any more (their salt is gone) and are not
      // found either way. The bound is what lets the store find them without an index on `ip_hash`.
      stored: { ipHashes: hashes, linkId: null, from: oldestDayStart(salts), until: null },
      accepts,
      raw: {
        ipHashes: hashes,
        ...(selector.userAgent === null ? {} : { userAgent: selector.userAgent }),
      },
      visitorKeys,
      saltDays: salts.length,
    };
  }

  private async linkOf(click: ProcessedClick, cache: Map<string, LinkSnapshot>): Promise<LinkSnapshot> {
    const key = click.linkId ?? `slug:${click.slug}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const link = click.linkId === null ? null : await this.deps.links.get(click.workspaceId, click.linkId);
    const snapshot: LinkSnapshot = link
      ? {
          link_id: link.linkId,
          alias: link.alias,
          domain_id: link.domainId,
          campaign_id: link.campaignId,
          channel: link.channel,
          tags: [...link.tags],
        }
      : {
          link_id: click.linkId,
          alias: click.slug,
          domain_id: click.domainId,
          campaign_id: click.campaignId,
          channel: null,
          tags: [],
        };
    cache.set(key, snapshot);
    return snapshot;
  }

  /** Checks the selector; the address in canonical form, so equal addresses give equal fingerprints. */
  private validate(selector: ErasureSelector): ErasureSelector {
    if (selector.kind === 'visitor') {
      const address = anonymizeAddress(selector.ip);
      if (!address) throw fieldError('CW_ERR_VALIDATION', '/visitor/ip', 'is not an IPv4 or IPv6 address');
      return { ...selector, ip: address.canonical };
    }
    if (selector.kind === 'time_range' && !(selector.from < selector.until)) {
      throw fieldError('CW_ERR_UNPROCESSABLE', '/occurred_before', 'must be later than occurred_after');
    }
    return selector;
  }

  /**
   * Same request on the same UTC day ⇒ same fingerprint ⇒ same receipt; sent on a later day it is
   * a new request (erasing what arrived since). A visitor's is keyed with the workspace's salt of
   * the day, so it says nothing about the address once that salt is deleted (48 h), like `ip_hash`.
   */
  private async fingerprint(workspaceId: string, selector: ErasureSelector, now: number): Promise<string> {
    if (selector.kind === 'visitor') {
      const salt = await this.deps.salts.getOrCreate(
        workspaceId,
        utcDay(now),
        randomBytes(32).toString('hex'),
        now,
      );
      return `v:${createHmac('sha256', Buffer.from(salt, 'hex'))
        .update(`erasure-request\u0000${selector.ip}\u0000${selector.userAgent ?? ''}`)
        .digest('hex')}`;
    }
    const text =
      selector.kind === 'link'
        ? `link\u0000${selector.linkId}\u0000${utcDay(now)}`
        : `time_range\u0000${selector.from}\u0000${selector.until}\u0000${utcDay(now)}`;
    return `${selector.kind === 'link' ? 'l' : 't'}:${createHash('sha256').update(text).digest('hex')}`;
  }
}

/** Start (epoch ms) of the oldest salt's UTC day; `null` when no salt is held (nothing can match then). */
function oldestDayStart(salts: readonly { readonly day: string }[]): number | null {
  let oldest: number | null = null;
  for (const { day } of salts) {
    const start = Date.parse(`${day}T00:00:00.000Z`);
    if (oldest === null || start < oldest) oldest = start;
  }
  return oldest;
}
