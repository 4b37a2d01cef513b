import type { BurstSignals } from '../classification/burst-signals.js';

/** A click the tracker remembers for the length of the window, with what is needed to revise it. */
export interface TrackedClick<T> {
  readonly workspaceId: string;
  /** The link, or the slug for unknown links: bursts on a typo'd URL count too. */
  readonly target: string;
  readonly visitorKey: string;
  readonly network: string;
  readonly occurredAt: number;
  /** Whatever the caller needs to re-classify and re-label this click later. */
  readonly payload: T;
}

export interface BurstObservation<T> {
  readonly signals: BurstSignals;
  /** Earlier clicks of the same visitor on the same target within the window. */
  readonly sameVisitorPeers: readonly TrackedClick<T>[];
  /** Earlier clicks from the same network within the window (any target). */
  readonly sameNetworkPeers: readonly TrackedClick<T>[];
}

export interface BurstTrackerOptions {
  /** How far back counts reach. The burst rules scale with it (see `isBurst`). */
  readonly windowMs: number;
  /** Most clicks remembered per visitor or network; a flood is a burst long before this. */
  readonly maxPerKey: number;
}

/**
 * Sliding windows of recent clicks per visitor × target and per network, counted in event time
 * (`occurredAt`), so a replay after a crash sees the same counts as the first run did.
 *
 * Memory is bounded: each list keeps at most `maxPerKey` clicks, and keys whose newest click fell
 * out of the window are swept once per window. State is not persisted: after a restart, a burst
 * that straddles the restart is judged on the clicks seen since.
 */
export class BurstTracker<T> {
  private readonly byVisitor = new Map<string, TrackedClick<T>[]>();
  private readonly byNetwork = new Map<string, TrackedClick<T>[]>();
  private lastSweep = 0;

  constructor(private readonly options: BurstTrackerOptions) {}

  /** Records a click and returns the counts including it, plus the earlier clicks it might implicate. */
  observe(click: TrackedClick<T>): BurstObservation<T> {
    const cutoff = click.occurredAt - this.options.windowMs;
    if (click.occurredAt - this.lastSweep >= this.options.windowMs) this.sweep(cutoff, click.occurredAt);

    const visitorList = this.recent(
      this.byVisitor,
      `${click.workspaceId}|${click.target}|${click.visitorKey}`,
      cutoff,
    );
    const networkList = this.recent(this.byNetwork, `${click.workspaceId}|${click.network}`, cutoff);
    const sameVisitorPeers = [...visitorList];
    const sameNetworkPeers = [...networkList];
    push(visitorList, click, this.options.maxPerKey);
    push(networkList, click, this.options.maxPerKey);

    const targets = new Set(networkList.map((tracked) => tracked.target));
    return {
      signals: {
        recentClicksSameVisitorSameLink: visitorList.length,
        recentDistinctLinksSameNetwork: targets.size,
        windowSeconds: this.options.windowMs / 1000,
      },
      sameVisitorPeers,
      sameNetworkPeers,
    };
  }

  /** The counts a click would see, without remembering it (and without implicating anyone). */
  peek(click: TrackedClick<T>): BurstObservation<T> {
    const cutoff = click.occurredAt - this.options.windowMs;
    const visitorList = (
      this.byVisitor.get(`${click.workspaceId}|${click.target}|${click.visitorKey}`) ?? []
    ).filter((tracked) => tracked.occurredAt > cutoff);
    const networkList = (this.byNetwork.get(`${click.workspaceId}|${click.network}`) ?? []).filter(
      (tracked) => tracked.occurredAt > cutoff,
    );
    const targets = new Set([...networkList.map((tracked) => tracked.target), click.target]);
    return {
      signals: {
        recentClicksSameVisitorSameLink: visitorList.length + 1,
        recentDistinctLinksSameNetwork: targets.size,
        windowSeconds: this.options.windowMs / 1000,
      },
      sameVisitorPeers: [],
      sameNetworkPeers: [],
    };
  }

  /** Number of keys held, for tests and metrics. */
  size(): number {
    return this.byVisitor.size + this.byNetwork.size;
  }

  private recent(map: Map<string, TrackedClick<T>[]>, key: string, cutoff: number): TrackedClick<T>[] {
    let list = map.get(key);
    if (!list) {
      list = [];
      map.set(key, list);
    }
    let drop = 0;
    while (drop < list.length && list[drop]!.occurredAt <= cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
    return list;
  }

  private sweep(cutoff: number, now: number): void {
    this.lastSweep = now;
    for (const map of [this.byVisitor, this.byNetwork]) {
      for (const [key, list] of map) {
        if (list.length === 0 || list[list.length - 1]!.occurredAt <= cutoff) map.delete(key);
      }
    }
  }
}

function push<T>(list: TrackedClick<T>[], click: TrackedClick<T>, max: number): void {
  list.push(click);
  if (list.length > max) list.splice(0, list.length - max);
}
