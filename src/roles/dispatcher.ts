import { UndiciWebhookTransport } from '../adapters/http/undici-webhook-transport.js';
import type { WebhookConfig } from '../config/webhook-config.js';
import { WakeSignal } from '../kernel/wake-signal.js';
import { meteredDeliveryStore } from '../metrics/metered-ports.js';
import { MAX_PAYLOAD_BYTES } from '../webhooks/delivery.js';
import { Dispatcher, type DispatcherOptions } from '../webhooks/dispatcher.js';
import { idlePollOf } from './pipeline-wakeups.js';
import type { RoleContext, RunningRole } from './role-context.js';

/** What the dispatcher needs of a role context. */
export type DispatcherContext = Pick<
  RoleContext,
  'config' | 'backend' | 'clock' | 'logger' | 'metrics' | 'wakeups'
>;

/** Name of the dispatcher's fan-out cursor over the `events` table. */
export const DISPATCHER_CONSUMER = 'dispatcher';

/** The dispatcher's settings from the configuration. */
export function dispatcherOptions(config: WebhookConfig): DispatcherOptions {
  return {
    consumer: DISPATCHER_CONSUMER,
    fanOutBatchSize: 500,
    retryScheduleMs: config.retryScheduleMs,
    timeoutMs: config.timeoutMs,
    pause: { afterMs: config.pauseAfterMs, minFailures: config.pauseMinFailures },
    concurrencyPerSubscription: config.concurrencyPerSubscription,
    idlePollMs: config.idlePollMs,
    // Long enough for a queued delivery to wait for its slot and be answered; a crashed
    // dispatcher's work is taken over after this (or at once by the next single dispatcher).
    leaseMs: config.leaseMs,
    claimIntervalMs: 250,
    recordWindowMs: 10,
    fanOutCoalesceMs: 2,
    allowPrivateAddresses: config.allowPrivateAddresses,
  };
}

/** The HTTP client for subscribers, as configured. */
export function webhookTransport(config: WebhookConfig): UndiciWebhookTransport {
  return new UndiciWebhookTransport({
    allowPrivateAddresses: config.allowPrivateAddresses,
    maxResponseBytes: MAX_PAYLOAD_BYTES,
    connectTimeoutMs: config.timeoutMs,
  });
}

/** The dispatcher role: fans events out to subscriptions and delivers them. */
export async function startDispatcher(context: DispatcherContext): Promise<RunningRole> {
  const { backend, clock, logger, config } = context;
  const transport = webhookTransport(config.webhooks);
  const dispatcher = new Dispatcher(
    {
      deliveries: meteredDeliveryStore(backend.deliveries, context.metrics),
      subscriptions: backend.subscriptions,
      transport,
      clock,
      logger,
      random: Math.random,
      ...(context.wakeups ? { wakeup: new WakeSignal(context.wakeups.eventsStored) } : {}),
    },
    {
      ...dispatcherOptions(config.webhooks),
      idlePollMs: idlePollOf(config.webhooks.idlePollMs, context.wakeups),
    },
  );
  await dispatcher.start();
  logger.info({ role: 'dispatcher' }, 'dispatcher delivering webhooks');
  return {
    name: 'dispatcher',
    stop: async () => {
      await dispatcher.stop();
      await transport.close();
    },
  };
}
