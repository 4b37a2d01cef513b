import { randomBytes } from 'node:crypto';
import type { Clock } from '../kernel/clock.js';
import type { IpSaltStore } from '../privacy/ip-salt-store.js';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (UTC) of an epoch-millisecond time. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

interface CachedSalt {
  readonly dayNumber: number;
  readonly key: Buffer;
}

/**
 * The edge's in-memory copy of each workspace's salt of the day. The first click of a day in a
 * workspace loads (or creates) the salt from the store; every later one is a Map lookup.
 */
export class DailySalts {
  private readonly cache = new Map<string, CachedSalt>();
  private readonly loading = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly store: IpSaltStore,
    private readonly clock: Clock,
  ) {}

  /** The salt for `workspaceId` at `now`, if already in memory. */
  peek(workspaceId: string, now: number): Buffer | undefined {
    const cached = this.cache.get(workspaceId);
    return cached !== undefined && cached.dayNumber === Math.floor(now / DAY_MS) ? cached.key : undefined;
  }

  /** Loads the salt, sharing one store round trip between concurrent callers. */
  async load(workspaceId: string, now: number): Promise<Buffer> {
    const cached = this.peek(workspaceId, now);
    if (cached) return cached;
    const dayNumber = Math.floor(now / DAY_MS);
    const flightKey = `${workspaceId}/${dayNumber}`;
    let flight = this.loading.get(flightKey);
    if (!flight) {
      flight = this.store
        .getOrCreate(workspaceId, utcDay(now), randomBytes(32).toString('hex'), this.clock.now())
        .then((hex) => {
          const key = Buffer.from(hex, 'hex');
          this.cache.set(workspaceId, { dayNumber, key });
          return key;
        })
        .finally(() => this.loading.delete(flightKey));
      this.loading.set(flightKey, flight);
    }
    return flight;
  }
}
