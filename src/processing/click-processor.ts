import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickLog, ClickLogConsumer, LogEntry } from '../click-log/click-log.js';
import type { RawClick } from '../click-log/raw-click.js';
import type { StoredEvent } from '../events/event-envelope.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import type { WakeSignal } from '../kernel/wake-signal.js';
import type { DailySalts } from '../privacy/daily-salts.js';
import { BurstTracker, type TrackedClick } from './burst/burst-tracker.js';
import { BURST_RULES, type BurstSignals, isBurst } from './classification/burst-signals.js';
import { classifyClick } from './classification/classify-click.js';
import { clickCreatedEvent, clickFlaggedEvent } from './click-events.js';
import type { LinkSnapshot } from './click-payload.js';
import { enrichClick } from './enrichment/enrich-click.js';
import { type ClickVerdict, PRIVACY_MODE, type ProcessedClick } from './processed-click.js';
import {
  type ClickRelabel,
  ClicksAlreadyStoredError,
  type ProcessedBatch,
  type ProcessingStore,
  type VisitorWindow,
  visitorWindowId,
} from './processing-store.js';
import type { ReferenceData } from './reference-data.js';
import { RollupDeltas, rollupKeyOf } from './rollups/rollup-deltas.js';
import { decideUniqueness } from './uniqueness/decide-uniqueness.js';
import { VisitorKeys } from './uniqueness/visitor-key.js';

export interface ClickProcessorOptions {
  /**
   * Name of the processor group: its cursor in the store (embedded log), or its durable consumer
   * (JetStream), shared by every processor of the group.
   */
  readonly consumer: string;
  /** Most log entries per transaction. */
  readonly batchSize: number;
  /** Pause between polls when the log has nothing new. */
  readonly idlePollMs: number;
  /** Window of the burst counters. */
  readonly burstWindowMs: number;
  /**
   * Whether clicks on the default domain were served over HTTPS (then modern browsers send
   * `sec-fetch-*`, and its absence is a signal). Branded domains are always HTTPS.
   */
  readonly defaultDomainIsHttps: boolean;
  /**
   * Transactions per fetch (default 1). Above 1 the consumer fetches up to `batchSize ×
   * pipelineDepth` entries and they are committed `batchSize` at a time, each transaction handed
   * to the store while the next is classified (see {@link ClickProcessor}); the fetch is
   * acknowledged once all of them are committed. Pays off where the store writes on another
   * thread or over the network (docs/adr/2026-11-28-processor-commit-thread.md).
   */
  readonly pipelineDepth?: number;
}

export interface ClickProcessorDeps {
  readonly clickLog: ClickLog;
  readonly store: ProcessingStore;
  readonly reference: ReferenceData;
  readonly salts: DailySalts;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Nudged when clicks were captured (same process); when idle, the processor waits on it, polling still. */
  readonly wakeup?: WakeSignal;
}

/** What the burst tracker remembers per click: the raw click, and its verdict as stored and as now. */
interface ClickState {
  readonly raw: RawClick;
  readonly link: LinkSnapshot | null;
  current: ProcessedClick;
  /** The version in the store; `null` while the click's batch is not committed. */
  committed: ProcessedClick | null;
}

/**
 * The processor stage: turns raw clicks from the click log into stored, classified, enriched
 * clicks, rollups and events.
 *
 * What must stay true: a batch's clicks, re-labels, uniqueness windows, rollups, events and — when
 * the caller keeps the log's progress — the cursor are written in one transaction
 * (`ProcessingStore.commit`); the batch is acknowledged to the log only after that commit. A crash
 * before the commit replays the batch (from the old cursor, or by redelivery of what was never
 * acknowledged); a crash between commit and acknowledgement redelivers clicks already stored,
 * which are skipped by id. So nothing is lost and nothing is counted twice, with any number of
 * processors in a group whose log shares the work among them.
 *
 * Pipelined (`pipelineDepth` > 1), a fetch is committed in several transactions, in log order,
 * each with the cursor at its own last entry; the next is classified while one is written. That
 * classification must see the batch being written as if it were stored: its clicks count as
 * committed for burst re-labels (a later re-label is an update in a later transaction), and its
 * uniqueness windows are read from memory before the store. A transaction that fails discards the
 * ones classified after it; the transactions before it stay committed, and their clicks are
 * skipped by id when the fetch comes back.
 */
export class ClickProcessor {
  private tracker: BurstTracker<ClickState>;
  private consumer: ClickLogConsumer | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;
  private readonly visitorKeys = new VisitorKeys();

  constructor(
    private readonly deps: ClickProcessorDeps,
    private readonly options: ClickProcessorOptions,
  ) {
    this.tracker = this.newTracker();
  }

  /** Processes the next batch, if any; returns how many log entries it consumed. */
  async processBatch(): Promise<number> {
    this.consumer ??= await this.openConsumer();
    const consumer = this.consumer;
    const entries = await consumer.fetch();
    if (entries.length === 0) return 0;
    try {
      await this.processEntries(entries, consumer.progress === 'caller' ? entries.at(-1)!.position : null);
    } catch (error) {
      // The tracker saw clicks that were not committed; rebuild it rather than count them twice.
      this.tracker = this.newTracker();
      // Hand the entries back; if that fails too, they come back anyway once unacknowledged for long.
      await consumer.release(entries).catch(() => undefined);
      throw error;
    }
    await consumer.acknowledge(entries);
    return entries.length;
  }

  /** Runs until `stop`, polling the log when idle. Errors are logged and retried after a pause. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = (async () => {
      while (!this.stopping) {
        let consumed = 0;
        try {
          consumed = await this.processBatch();
        } catch (error) {
          this.deps.logger.error({ err: error }, 'processor batch failed; retrying');
          await sleep(500);
          continue;
        }
        if (consumed === 0)
          await (this.deps.wakeup?.wait(this.options.idlePollMs) ?? sleep(this.options.idlePollMs));
      }
    })();
  }

  /** Finishes the batch in progress, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = null;
  }

  private openConsumer(): Promise<ClickLogConsumer> {
    const { store, clickLog } = this.deps;
    const group = this.options.consumer;
    return clickLog.openConsumer({
      group,
      batchSize: this.options.batchSize * this.pipelineDepth(),
      committedPosition: () => store.readCursor(group),
    });
  }

  /**
   * Processes and commits the entries; `position` is the cursor to commit with them, `null` when
   * the log keeps the group's progress itself. A click of the batch stored meanwhile by another
   * processor of the group (a redelivery overlapping its first delivery) fails the commit as a
   * whole; the batch is then filtered again and retried without it.
   */
  private async processEntries(entries: readonly LogEntry[], position: number | null): Promise<void> {
    if (entries.length > this.options.batchSize) return this.processPipelined(entries, position !== null);
    for (;;) {
      const fresh = await this.freshEntries(entries);
      try {
        const { batch, handOver } = await this.prepareBatch(fresh, position, null);
        await this.deps.store.commit(batch);
        handOver();
        return;
      } catch (error) {
        if (!(error instanceof ClicksAlreadyStoredError)) throw error;
        this.clicksStoredElsewhere(error);
      }
    }
  }

  /**
   * Commits the entries `batchSize` at a time, each transaction written while the next is
   * classified. A click stored meanwhile by another processor makes the rest go one transaction
   * at a time again, each filtered and retried as in {@link processEntries}.
   */
  private async processPipelined(entries: readonly LogEntry[], callerProgress: boolean): Promise<void> {
    const fresh = new Set(await this.freshEntries(entries));
    const parts: { entries: LogEntry[]; fresh: LogEntry[]; position: number | null }[] = [];
    for (let start = 0; start < entries.length; start += this.options.batchSize) {
      const part = entries.slice(start, start + this.options.batchSize);
      parts.push({
        entries: part,
        fresh: part.filter((entry) => fresh.has(entry)),
        position: callerProgress ? part.at(-1)!.position : null,
      });
    }
    // Uniqueness windows of the transactions handed over so far, newer than what the store may show.
    const written = new Map<string, number>();
    let writing: { part: number; commit: Promise<void> } | null = null;
    try {
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        const prepared = await this.prepareBatch(part.fresh, part.position, written).catch(async (error) => {
          await writing?.commit.catch(() => undefined);
          throw error;
        });
        if (writing) await writing.commit;
        prepared.handOver();
        const commit = this.deps.store.commit(prepared.batch);
        // Awaited once the next transaction is classified; a failure meanwhile is not "unhandled".
        commit.catch(() => undefined);
        writing = { part: i, commit };
      }
      if (writing) await writing.commit;
    } catch (error) {
      if (!(error instanceof ClicksAlreadyStoredError) || writing === null) throw error;
      this.clicksStoredElsewhere(error);
      for (const part of parts.slice(writing.part)) await this.processEntries(part.entries, part.position);
    }
  }

  private clicksStoredElsewhere(error: ClicksAlreadyStoredError): void {
    // The tracker saw clicks that were not committed; rebuild it rather than count them twice.
    this.tracker = this.newTracker();
    this.deps.logger.warn(
      { clicks: error.clickIds.length },
      'clicks were stored by another processor; retrying',
    );
  }

  private pipelineDepth(): number {
    return Math.max(1, Math.floor(this.options.pipelineDepth ?? 1));
  }

  private async freshEntries(entries: readonly LogEntry[]): Promise<LogEntry[]> {
    const known = await this.deps.store.knownClickIds(entries.map((entry) => entry.click.clickId));
    const fresh: LogEntry[] = [];
    for (const entry of entries) {
      if (known.has(entry.click.clickId)) continue;
      known.add(entry.click.clickId); // the same id twice in one batch counts once too
      fresh.push(entry);
    }
    return fresh;
  }

  /**
   * Classifies the entries into the batch to commit. `handOver` marks its clicks as stored, for the
   * re-labels of later batches; call it once the batch is committed or on its way (in order).
   * `written`: uniqueness windows of batches handed over but perhaps not visible in the store yet;
   * read before the store, and this batch's windows are added to it.
   */
  private async prepareBatch(
    entries: readonly LogEntry[],
    position: number | null,
    written: Map<string, number> | null,
  ): Promise<{ batch: ProcessedBatch; handOver: () => void }> {
    const { reference, salts, clock } = this.deps;
    const now = clock.now();

    // Everything that needs I/O is gathered first, once per distinct workspace, link and salt day;
    // the per-click loop below is synchronous.
    const clicks = entries.map((entry) => entry.click);
    const [workspaces, links, daySalts] = await Promise.all([
      loadEach(
        clicks,
        (c) => c.workspaceId,
        (c) => reference.workspace(c.workspaceId),
      ),
      loadEach(
        clicks,
        (c) => c.linkId ?? '',
        (c) => reference.link(c.workspaceId, c.linkId),
      ),
      loadEach(
        clicks,
        (c) => saltKey(c),
        (c) => salts.load(c.workspaceId, c.occurredAt),
      ),
    ]);
    const prepared = clicks.map((click) => ({
      click,
      workspace: workspaces.get(click.workspaceId)!,
      link: links.get(click.linkId ?? '')!,
      visitor: this.visitorKeys.of(
        daySalts.get(saltKey(click))!,
        // Without an address hash (privacy option off) no two clicks can be told to be one visitor's.
        click.ipHash ?? click.clickId,
        click.headers['user-agent'],
      ),
    }));
    const windowKeys: { linkId: string; visitorKey: string }[] = [];
    for (const p of prepared)
      if (p.click.linkId) windowKeys.push({ linkId: p.click.linkId, visitorKey: p.visitor });
    const windows = await this.deps.store.visitorWindows(windowKeys);

    const batchStates: ClickState[] = [];
    const relabelled = new Map<string, ClickState>();
    const windowUpdates = new Map<string, VisitorWindow>();

    for (const { click, workspace, link, visitor } of prepared) {
      const state: ClickState = {
        raw: click,
        link: link.snapshot,
        current: undefined as never,
        committed: null,
      };
      const tracked: TrackedClick<ClickState> = {
        workspaceId: click.workspaceId,
        target: click.linkId ?? `slug:${click.slug}`,
        visitorKey: visitor,
        network: click.ipPrefix ?? click.clickId,
        occurredAt: click.occurredAt,
        payload: state,
      };
      // A simulated click is judged like a real one but leaves no trace in the state real clicks
      // are judged by: it joins no burst window and opens no uniqueness window.
      const simulated = click.simulated === true;
      const observation = simulated ? this.tracker.peek(tracked) : this.tracker.observe(tracked);
      const verdict = this.verdict(click, observation.signals);

      // Only people open uniqueness windows: a preview or prefetch ahead of the person must not
      // take the person's unique click.
      let isUnique = false;
      if (click.linkId !== null && verdict.trafficClass === 'human') {
        const id = visitorWindowId(click.linkId, visitor);
        const start = windowUpdates.get(id)?.windowStart ?? written?.get(id) ?? windows.get(id) ?? null;
        const decision = decideUniqueness(
          workspace.uniquenessRule,
          start,
          click.occurredAt,
          workspace.timezone,
        );
        isUnique = decision.isUnique;
        if (decision.windowStart !== null && !simulated) {
          windowUpdates.set(id, {
            linkId: click.linkId,
            visitorKey: visitor,
            windowStart: decision.windowStart,
          });
        }
      }

      const enrichment = enrichClick(click, {
        ownHosts: workspace.ownHosts,
        isBot: verdict.isBot && verdict.trafficClass !== 'prefetch',
      });
      state.current = {
        clickId: click.clickId,
        workspaceId: click.workspaceId,
        linkId: click.linkId,
        domainId: click.domainId,
        slug: click.slug,
        campaignId: link.campaignId,
        occurredAt: click.occurredAt,
        receivedAt: click.occurredAt,
        processedAt: now,
        method: click.method,
        redirectStatus: click.redirectStatus,
        blockReason: click.blockReason,
        ipHash: click.ipHash,
        ipPrefix: click.ipPrefix,
        country: click.country,
        region: null,
        asn: click.asn,
        // Spelled out rather than spread: spreads in the middle of a literal copy property by
        // property at run time, and this object is built once per click.
        deviceType: enrichment.deviceType,
        osFamily: enrichment.osFamily,
        browserFamily: enrichment.browserFamily,
        referrerCategory: enrichment.referrerCategory,
        referrerHost: enrichment.referrerHost,
        language: enrichment.language,
        isUnique,
        uniquenessRule: workspace.uniquenessRule,
        trafficClass: verdict.trafficClass,
        isBot: verdict.isBot,
        botScore: verdict.botScore,
        isSuspicious: verdict.isSuspicious,
        fraudReason: verdict.fraudReason,
        reasons: verdict.reasons,
        privacyMode: click.privacyMode ?? PRIVACY_MODE,
        simulated: click.simulated === true,
      };
      batchStates.push(state);

      // A burst also indicts the clicks that built it up: revise their verdicts with the same counts.
      const peers = new Set<TrackedClick<ClickState>>();
      const window = observation.signals.windowSeconds;
      if (
        isBurst(observation.signals.recentClicksSameVisitorSameLink, window, BURST_RULES.sameVisitorSameLink)
      ) {
        for (const peer of observation.sameVisitorPeers) peers.add(peer);
      }
      if (
        isBurst(
          observation.signals.recentDistinctLinksSameNetwork,
          window,
          BURST_RULES.sameNetworkDistinctLinks,
        )
      ) {
        for (const peer of observation.sameNetworkPeers) peers.add(peer);
      }
      for (const peer of peers) {
        const revised = this.verdict(peer.payload.raw, observation.signals);
        if (sameVerdict(revised, peer.payload.current)) continue;
        peer.payload.current = { ...peer.payload.current, ...revised };
        if (peer.payload.committed) relabelled.set(peer.payload.current.clickId, peer.payload);
      }
    }

    const rollups = new RollupDeltas();
    const events: StoredEvent[] = [];
    const relabels: ClickRelabel[] = [];
    // Simulated clicks (POST /v1/clicks/simulate) are stored and reported, never counted.
    for (const state of batchStates) {
      if (!state.current.simulated) rollups.add(rollupKeyOf(state.current), 1);
      events.push(clickCreatedEvent(state.current, state.link ?? unknownLink(state.raw), now));
    }
    for (const state of relabelled.values()) {
      const before = state.committed!;
      if (!before.simulated) {
        rollups.add(rollupKeyOf(before), -1);
        rollups.add(rollupKeyOf(state.current), 1);
      }
      relabels.push({ clickId: state.current.clickId, verdict: state.current });
      events.push(clickFlaggedEvent(state.current, before, state.link ?? unknownLink(state.raw), now));
    }

    if (written) for (const [id, window] of windowUpdates) written.set(id, window.windowStart);
    const batch: ProcessedBatch = {
      consumer: this.options.consumer,
      position,
      at: now,
      clicks: batchStates.map((state) => state.current),
      relabels,
      visitorWindows: [...windowUpdates.values()],
      rollups: rollups.toList(),
      events,
    };
    const handOver = () => {
      for (const state of batchStates) state.committed = state.current;
      for (const state of relabelled.values()) state.committed = state.current;
    };
    return { batch, handOver };
  }

  private verdict(click: RawClick, burst: BurstSignals): ClickVerdict {
    // A classification is a verdict, field for field: taken as it is, not copied, once per click.
    return classifyClick(click, {
      burst,
      expectFetchMetadata: click.domainId !== null || this.options.defaultDomainIsHttps,
    });
  }

  private newTracker(): BurstTracker<ClickState> {
    return new BurstTracker({ windowMs: this.options.burstWindowMs, maxPerKey: 64 });
  }
}

/** Loads one value per distinct key of the items, concurrently. */
async function loadEach<T, V>(
  items: readonly T[],
  keyOf: (item: T) => string,
  load: (item: T) => Promise<V>,
): Promise<Map<string, V>> {
  const first = new Map<string, T>();
  for (const item of items) if (!first.has(keyOf(item))) first.set(keyOf(item), item);
  const loaded = await Promise.all([...first].map(async ([key, item]) => [key, await load(item)] as const));
  return new Map(loaded);
}

/** Which day salt a click's visitor key takes: its workspace's, of its UTC day (as `utcDay` numbers them). */
function saltKey(click: RawClick): string {
  return `${click.workspaceId}/${Math.floor(click.occurredAt / DAY_MS)}`;
}

const DAY_MS = 86_400_000;

function sameVerdict(a: ClickVerdict, b: ClickVerdict): boolean {
  return (
    a.trafficClass === b.trafficClass &&
    a.botScore === b.botScore &&
    a.isSuspicious === b.isSuspicious &&
    a.fraudReason === b.fraudReason &&
    a.reasons.length === b.reasons.length &&
    a.reasons.every((reason, i) => reason === b.reasons[i])
  );
}

/** The `data.link` of a click on an unknown (or since deleted) link. */
function unknownLink(click: RawClick): LinkSnapshot {
  return {
    link_id: click.linkId,
    alias: click.slug,
    domain_id: click.domainId,
    campaign_id: null,
    channel: null,
    tags: [],
  };
}
