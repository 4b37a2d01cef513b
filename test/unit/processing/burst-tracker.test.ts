import { describe, expect, it } from 'vitest';
import { BurstTracker, type TrackedClick } from '../../../src/processing/burst/burst-tracker.js';

const click = (overrides: Partial<TrackedClick<string>>): TrackedClick<string> => ({
  workspaceId: 'ws',
  target: 'lnk_a',
  visitorKey: 'v1',
  network: '203.0.113.0/24',
  occurredAt: 0,
  payload: 'x',
  ...overrides,
});

describe('burst tracker', () => {
  it('counts clicks of one visitor on one link within the window, including the current one', () => {
    const tracker = new BurstTracker<string>({ windowMs: 20_000, maxPerKey: 64 });
    expect(tracker.observe(click({ occurredAt: 0 })).signals.recentClicksSameVisitorSameLink).toBe(1);
    expect(tracker.observe(click({ occurredAt: 5_000 })).signals.recentClicksSameVisitorSameLink).toBe(2);
    const third = tracker.observe(click({ occurredAt: 19_999, payload: 'third' }));
    expect(third.signals).toEqual({
      recentClicksSameVisitorSameLink: 3,
      recentDistinctLinksSameNetwork: 1,
      windowSeconds: 20,
    });
    expect(third.sameVisitorPeers.map((peer) => peer.occurredAt)).toEqual([0, 5_000]);
  });

  it('forgets clicks that fell out of the window', () => {
    const tracker = new BurstTracker<string>({ windowMs: 20_000, maxPerKey: 64 });
    tracker.observe(click({ occurredAt: 0 }));
    expect(tracker.observe(click({ occurredAt: 20_000 })).signals.recentClicksSameVisitorSameLink).toBe(1);
  });

  it('keeps visitors, links and workspaces apart', () => {
    const tracker = new BurstTracker<string>({ windowMs: 20_000, maxPerKey: 64 });
    tracker.observe(click({}));
    expect(tracker.observe(click({ visitorKey: 'v2' })).signals.recentClicksSameVisitorSameLink).toBe(1);
    expect(tracker.observe(click({ target: 'lnk_b' })).signals.recentClicksSameVisitorSameLink).toBe(1);
    expect(tracker.observe(click({ workspaceId: 'other' })).signals.recentClicksSameVisitorSameLink).toBe(1);
  });

  it('counts distinct links per network, whoever clicked them', () => {
    const tracker = new BurstTracker<string>({ windowMs: 20_000, maxPerKey: 64 });
    tracker.observe(click({ target: 'a', visitorKey: '1' }));
    tracker.observe(click({ target: 'b', visitorKey: '2' }));
    tracker.observe(click({ target: 'b', visitorKey: '3' }));
    const fourth = tracker.observe(click({ target: 'c', visitorKey: '4' }));
    expect(fourth.signals.recentDistinctLinksSameNetwork).toBe(3);
    expect(fourth.sameNetworkPeers).toHaveLength(3);
    expect(
      tracker.observe(click({ target: 'd', network: '198.51.100.0/24' })).signals
        .recentDistinctLinksSameNetwork,
    ).toBe(1);
  });

  it('stays bounded: at most maxPerKey clicks per key, and idle keys are swept', () => {
    const tracker = new BurstTracker<string>({ windowMs: 20_000, maxPerKey: 5 });
    let last = tracker.observe(click({ occurredAt: 0 }));
    for (let i = 1; i < 100; i++) last = tracker.observe(click({ occurredAt: i }));
    expect(last.signals.recentClicksSameVisitorSameLink).toBe(5);
    for (let i = 0; i < 1000; i++)
      tracker.observe(click({ visitorKey: `v${i}`, network: `n${i}`, occurredAt: 100 }));
    expect(tracker.size()).toBeGreaterThan(1000);
    tracker.observe(click({ visitorKey: 'late', network: 'late', occurredAt: 100_000 }));
    expect(tracker.size()).toBe(2);
  });

  it('peeks at the counts a click would see without recording it', () => {
    const tracker = new BurstTracker<string>({ windowMs: 20_000, maxPerKey: 64 });
    tracker.observe(click({ occurredAt: 0 }));
    const peeked = tracker.peek(click({ occurredAt: 1_000, target: 'lnk_b' }));
    expect(peeked.signals).toMatchObject({
      recentClicksSameVisitorSameLink: 1,
      recentDistinctLinksSameNetwork: 2,
    });
    expect(peeked.sameVisitorPeers).toEqual([]);
    expect(tracker.observe(click({ occurredAt: 2_000 })).signals.recentClicksSameVisitorSameLink).toBe(2);
  });
});
