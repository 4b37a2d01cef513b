import type { Backend } from '../adapters/backend.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../kernel/logger.js';
import type { MetricFamily, Metrics } from '../metrics/metrics.js';
import type { GeoLookup } from '../redirect/geo-lookup.js';
import type { PipelineWakeups } from './pipeline-wakeups.js';
import type { RunningStages } from './running-stages.js';

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
  /** This thread's counters; roles on other threads have their own and report them through `stages`. */
  readonly metrics: Metrics;
  /** The roles started so far, for `/readyz` and `/metrics`. */
  readonly stages: RunningStages;
  /** With every stage in this process: how one stage wakes the next; absent, they poll alone. */
  readonly wakeups?: PipelineWakeups;
}

/** A started role; `stop` drains it (finishes in-flight work) and releases what it holds. */
export interface RunningRole {
  readonly name: string;
  stop(): Promise<void>;
  /** False once the role has stopped working (its thread exited); absent: running while started. */
  running?(): boolean;
  /** For a role on a thread of its own: that thread's figures, which `/metrics` adds to this thread's. */
  metrics?(): Promise<MetricFamily[]>;
}
