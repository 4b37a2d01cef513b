import { ulid } from 'ulidx';
import type { Backend } from '../../src/adapters/backend.js';
import { EVENT_SCHEMA_VERSION, type StoredEvent, toStoredEvent } from '../../src/events/event-envelope.js';
import { newId } from '../../src/kernel/ids.js';
import { PRIVACY_MODE, type ProcessedClick } from '../../src/processing/processed-click.js';
import type { ProcessedBatch } from '../../src/processing/processing-store.js';
import { type RollupDelta, rollupKeyOf } from '../../src/processing/rollups/rollup-deltas.js';

/** A stored click as the processor would write it; override any field. */
export function aProcessedClick(overrides: Partial<ProcessedClick> = {}): ProcessedClick {
  return {
    clickId: newId('click'),
    workspaceId: 'ws_A',
    linkId: 'lnk_A',
    domainId: null,
    slug: 'spring',
    campaignId: null,
    occurredAt: 1_800_000_000_000,
    receivedAt: 1_800_000_000_000,
    processedAt: 1_800_000_000_005,
    method: 'GET',
    redirectStatus: 'success',
    blockReason: null,
    ipHash: 'a'.repeat(32),
    ipPrefix: '203.0.113.0/24',
    country: 'DE',
    region: null,
    asn: 3320,
    deviceType: 'desktop',
    osFamily: 'Windows',
    browserFamily: 'Chrome',
    referrerCategory: 'direct',
    referrerHost: null,
    language: 'de',
    isUnique: true,
    uniquenessRule: 'link_visitor_24h',
    trafficClass: 'human',
    isBot: false,
    botScore: 0,
    isSuspicious: false,
    fraudReason: null,
    reasons: [],
    privacyMode: PRIVACY_MODE,
    simulated: false,
    ...overrides,
  };
}

let position = 0;

/**
 * Commits clicks (with their rollup cells, as the processor would — simulated ones not counted),
 * events and extra rollup deltas through the processing store, one transaction.
 */
export async function commitBatch(
  backend: Backend,
  batch: {
    readonly clicks?: readonly ProcessedClick[];
    readonly rollups?: readonly RollupDelta[];
    readonly events?: readonly StoredEvent[];
    readonly at?: number;
  },
): Promise<void> {
  const clicks = batch.clicks ?? [];
  const full: ProcessedBatch = {
    consumer: 'processor',
    position: ++position,
    at: batch.at ?? 1_800_000_000_010,
    clicks,
    relabels: [],
    visitorWindows: [],
    rollups: [
      ...clicks.filter((click) => !click.simulated).map((click) => ({ ...rollupKeyOf(click), clicks: 1 })),
      ...(batch.rollups ?? []),
    ],
    events: batch.events ?? [],
  };
  await backend.processing.commit(full);
}

/**
 * A stored event of a type, written at `at` (the time in its id). Not `newId`: its ids are
 * monotonic within the process, so an id for an earlier time than the last one would carry the later time.
 */
export function anEvent(workspaceId: string, eventType: StoredEvent['eventType'], at: number): StoredEvent {
  return toStoredEvent({
    schema_version: EVENT_SCHEMA_VERSION,
    event_id: `evt_${ulid(at)}`,
    event_type: eventType,
    occurred_at: new Date(at).toISOString(),
    workspace_id: workspaceId,
    data: { note: `${eventType} at ${at}` },
  });
}

/** A small deterministic PRNG (mulberry32), so a "random" seeded set is the same on every run. */
export function prng(seed: number): { next: () => number; pick: <T>(items: readonly T[]) => T } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, pick: (items) => items[Math.floor(next() * items.length)]! };
}
