import type { ProcessingStore } from '../processing/processing-store.js';
import type { DeliveryStore } from '../webhooks/delivery-store.js';
import type { Metrics } from './metrics.js';

/**
 * The processor's store, counting the clicks of each batch once its transaction committed — so a
 * batch that fails and is replayed is counted once, when it lands.
 */
export function meteredProcessingStore(store: ProcessingStore, metrics: Metrics): ProcessingStore {
  return intercept(store, 'commit', async (batch) => {
    await store.commit(batch);
    for (const click of batch.clicks) {
      metrics.clicksProcessed.inc({ traffic_class: click.trafficClass });
      metrics.processorLag.observe(Math.max(0, batch.at - click.occurredAt) / 1000);
    }
  });
}

/** The dispatcher's store, counting each attempt record (and its duration) once it is committed. */
export function meteredDeliveryStore(store: DeliveryStore, metrics: Metrics): DeliveryStore {
  return intercept(store, 'recordAttempts', async (records, now) => {
    const updates = await store.recordAttempts(records, now);
    for (const record of records) {
      const outcome = record.next.status;
      metrics.deliveries.inc({ outcome, sent: record.attempt === null ? 'false' : 'true' });
      if (record.attempt !== null)
        metrics.deliveryDuration.observe({ outcome }, record.attempt.durationMs / 1000);
    }
    return updates;
  });
}

/** `target` with one method replaced; every other member is the target's own, bound to it. */
function intercept<T extends object, K extends keyof T>(target: T, name: K, replacement: T[K]): T {
  return new Proxy(target, {
    get(object, property) {
      if (property === name) return replacement;
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}
