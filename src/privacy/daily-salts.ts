import { randomBytes } from 'node:crypto';
import type { Clock } from '../kernel/clock.js';
import type { IpSaltStore } from './ip-salt-store.js';

const DAY_MS = 86_400_000;
/** Salts kept in memory; a few days × workspaces. Past it the cache starts over (a reload is one query). */
const MAX_CACHED = 10_000;

/** `YYYY-MM-DD` (UTC) of an epoch-millisecond time. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/**
 * In-memory copy of the workspaces' daily salts, used by the edge (for `ip_hash`) and the processor
 * (for visitor keys). The first use of a workspace's day loads or creates the salt in the store,
 * so every process agrees on it; every later use is a Map lookup.
 */
export class DailySalts {
  private readonly cache = new Map<string, Buffer>();
  private readonly loading = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly store: IpSaltStore,
    private readonly clock: Clock,
  ) {}

  /** The salt of the UTC day of `at` for the workspace, if already in memory. */
  peek(workspaceId: string, at: number): Buffer | undefined {
    return this.cache.get(cacheKey(workspaceId, at));
  }

  /** Loads the salt, sharing one store round trip between concurrent callers. */
  async load(workspaceId: string, at: number): Promise<Buffer> {
    const key = cacheKey(workspaceId, at);
    const cached = this.cache.get(key);
    if (cached) return cached;
    let flight = this.loading.get(key);
    if (!flight) {
      flight = this.store
        .getOrCreate(workspaceId, utcDay(at), randomBytes(32).toString('hex'), this.clock.now())
        .then((hex) => {
          const salt = Buffer.from(hex, 'hex');
          if (this.cache.size >= MAX_CACHED) this.cache.clear();
          this.cache.set(key, salt);
          return salt;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, flight);
    }
    return flight;
  }
}

function cacheKey(workspaceId: string, at: number): string {
  return `${workspaceId}/${Math.floor(at / DAY_MS)}`;
}
