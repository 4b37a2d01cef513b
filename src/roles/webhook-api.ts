import { WebhookService } from '../webhooks/webhook-service.js';
import { webhookTransport } from './dispatcher.js';
import type { RoleContext } from './role-context.js';

/**
 * The webhook use cases as the API role serves them. The service sends only the test endpoint's
 * requests itself (with its own HTTP client, closed by `close`); everything else is the dispatcher's.
 */
export function webhookServiceFor(context: Pick<RoleContext, 'config' | 'backend' | 'clock'>): {
  readonly service: WebhookService;
  close(): Promise<void>;
} {
  const { backend, clock, config } = context;
  const transport = webhookTransport(config.webhooks);
  const service = new WebhookService(
    {
      subscriptions: backend.subscriptions,
      deliveries: backend.deliveries,
      log: backend.deliveryLog,
      transport,
      clock,
    },
    {
      retryScheduleMs: config.webhooks.retryScheduleMs,
      timeoutMs: config.webhooks.timeoutMs,
      allowPrivateAddresses: config.webhooks.allowPrivateAddresses,
    },
  );
  return { service, close: () => transport.close() };
}
