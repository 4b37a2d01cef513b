import type { Backend } from '../adapters/backend.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import type { GeoLookup } from '../redirect/geo-lookup.js';

/** What every role is started with: configuration read once, the chosen adapters, a clock and a logger. */
export interface RoleContext {
  readonly config: Config;
  readonly backend: Backend;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Built lazily: only the edge needs it, and loading the IP databases takes a moment. */
  readonly geo: () => GeoLookup;
  /** The bootstrap workspace: unknown slugs on unregistered hosts are recorded under it. */
  readonly defaultWorkspaceId: string;
}

/** A started role; `stop` drains it (finishes in-flight work) and releases what it holds. */
export interface RunningRole {
  readonly name: string;
  stop(): Promise<void>;
}
