import { createBundledGeoLookup } from './adapters/geo/bundled-geo-lookup.js';
import { openBackend } from './adapters/open-backend.js';
import type { Config } from './config/config.js';
import { type Clock, systemClock } from './kernel/clock.js';
import { createLogger, type Logger } from './kernel/logger.js';
import { Metrics } from './metrics/metrics.js';
import type { GeoLookup } from './redirect/geo-lookup.js';
import { type RunningApi, startApi } from './roles/api.js';
import { startDispatcher } from './roles/dispatcher.js';
import { type RunningEdge, startEdge } from './roles/edge.js';
import { newPipelineWakeups } from './roles/pipeline-wakeups.js';
import { startProcessor } from './roles/processor.js';
import { startProcessorThread } from './roles/processor-thread.js';
import type { RoleContext, RunningRole } from './roles/role-context.js';
import { startRoleThread } from './roles/role-thread.js';
import { RunningStages } from './roles/running-stages.js';
import { TenancyService } from './tenancy/tenancy-service.js';

/** Roles a process can run; `all` is the embedded default. */
export const ROLES = ['all', 'edge', 'processor', 'dispatcher', 'api'] as const;
export type Role = (typeof ROLES)[number];

export interface StartOptions {
  readonly role: Role;
  readonly logger?: Logger;
  /** Injected time; the processor then runs on the main thread, where the clock lives. */
  readonly clock?: Clock;
  /**
   * With `role: 'all'`, run the processor on a worker thread (default) so its work never delays a
   * redirect; `false` keeps it on the main thread.
   */
  readonly processorThread?: boolean;
  /** With `role: 'all'`, run the dispatcher on a worker thread (default; see docs/adr/2026-11-27-webhook-delivery.md). */
  readonly dispatcherThread?: boolean;
}

export interface RunningClickwire {
  readonly edge: RunningEdge | null;
  readonly api: RunningApi | null;
  readonly defaultWorkspaceId: string;
  /** The admin key made at first start, when the store was empty and no key was supplied; shown once. */
  readonly generatedBootstrapKey: string | null;
  /** Drains the roles (in-flight redirects get their answer after their commit), then closes the store. */
  stop(): Promise<void>;
}

/** Composition root: one configuration, one backend, the roles asked for. */
export async function startClickwire(config: Config, options: StartOptions): Promise<RunningClickwire> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  // A process that only processes or dispatches keeps WAL checkpoints out of its commits (see
  // openBackend); the threads of `all` open their own connections and do the same.
  const backend = await openBackend(config, {
    storeCheckpoints: options.role === 'dispatcher' || options.role === 'processor' ? 'background' : 'inline',
    // The processor process writes its batches from a commit thread (see processor-thread-main).
    processorCommits: options.role === 'processor' ? 'thread' : 'connection',
  });
  const started: RunningRole[] = [];
  try {
    const tenancy = new TenancyService({ workspaces: backend.workspaces, apiKeys: backend.apiKeys, clock });
    const { workspace, issued } = await tenancy.bootstrap(config.bootstrapApiKey);
    let geo: GeoLookup | null = null;
    const context: RoleContext = {
      config,
      backend,
      clock,
      logger,
      geo: () => {
        geo ??= createBundledGeoLookup();
        return geo;
      },
      defaultWorkspaceId: workspace.workspaceId,
      metrics: new Metrics({ processDefaults: true }),
      stages: new RunningStages(),
      // Only here do the stages share a process: each wakes the next instead of leaving it to poll.
      // Not when the store or the click log is shared with other processes (PostgreSQL, JetStream):
      // their writes wake nobody here, and the longer poll of woken stages would delay them.
      ...(options.role === 'all' && !config.database && !config.nats
        ? { wakeups: newPipelineWakeups() }
        : {}),
    };

    const wants = (role: Role) => options.role === 'all' || options.role === role;
    const edge = wants('edge') ? await startEdge(context) : null;
    if (edge) started.push(edge);
    const processorThread =
      options.role === 'all' && options.clock === undefined && options.processorThread !== false;
    const processor = !wants('processor')
      ? null
      : processorThread
        ? await startProcessorThread(config, logger, context.wakeups)
        : await startProcessor(context);
    if (processor) started.push(processor);
    if (config.webhooks.allowPrivateAddresses)
      logger.warn(
        'CLICKWIRE_WEBHOOK_ALLOW_PRIVATE=true: webhooks may reach loopback and private addresses over plain http; for development and tests only',
      );
    const dispatcherThread =
      options.role === 'all' && options.clock === undefined && options.dispatcherThread !== false;
    const dispatcher = !wants('dispatcher')
      ? null
      : dispatcherThread
        ? await startRoleThread('dispatcher', 'dispatcher-thread-main', config, logger, context.wakeups)
        : await startDispatcher(context);
    if (dispatcher) started.push(dispatcher);
    const api = wants('api') ? await startApi(context, edge) : null;
    if (api) started.push(api);
    for (const role of started) context.stages.add(role);

    return {
      edge,
      api,
      defaultWorkspaceId: workspace.workspaceId,
      generatedBootstrapKey: issued && config.bootstrapApiKey === null ? issued.secret : null,
      stop: async () => {
        // Edge first: its in-flight clicks must commit before the click log closes with the backend.
        await edge?.stop();
        await processor?.stop();
        await dispatcher?.stop();
        await api?.stop();
        await backend.close();
        logger.info('clickwire stopped');
      },
    };
  } catch (error) {
    for (const role of started.reverse()) await role.stop().catch(() => undefined);
    await backend.close().catch(() => undefined);
    throw error;
  }
}
