import type { LookupAddress } from 'node:dns';
import type { Backend } from '../../src/adapters/backend.js';
import { UndiciWebhookTransport } from '../../src/adapters/http/undici-webhook-transport.js';
import { openEmbeddedBackend } from '../../src/adapters/sqlite/embedded-backend.js';
import type { StoredEvent } from '../../src/events/event-envelope.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { createLogger } from '../../src/kernel/logger.js';
import { TenancyService } from '../../src/tenancy/tenancy-service.js';
import { MAX_PAYLOAD_BYTES } from '../../src/webhooks/delivery.js';
import { Dispatcher, type DispatcherOptions } from '../../src/webhooks/dispatcher.js';
import type { NewSubscriptionInput } from '../../src/webhooks/subscription-input.js';
import { WebhookService } from '../../src/webhooks/webhook-service.js';
import { makeTempDir } from './temp-dir.js';

/** Retry delays of the tests: short numbers that are easy to step the clock over. */
export const TEST_SCHEDULE_MS = [5_000, 30_000, 120_000];

export interface HarnessOptions {
  readonly dispatcher?: Partial<DispatcherOptions>;
  /** Keep the SSRF guard on (the default lifts it, so the loopback receiver can be reached). */
  readonly guard?: boolean;
  /** Name resolution for the guard. */
  readonly resolveAll?: (hostname: string) => Promise<LookupAddress[]>;
  readonly portable?: boolean;
}

/**
 * A real embedded backend (temp SQLite files), the real undici transport, a dispatcher driven pass
 * by pass and a clock the test moves. Events are written straight to the `events` table, as the
 * processor and the link service would.
 */
export class DispatcherHarness {
  readonly clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  readonly logger = createLogger('silent');
  workspaceId = '';
  service!: WebhookService;
  dispatcher!: Dispatcher;
  private eventPosition = 0;

  private constructor(
    readonly backend: Backend,
    readonly transport: UndiciWebhookTransport,
    readonly options: HarnessOptions,
    private readonly remove: () => void,
  ) {}

  static async open(options: HarnessOptions = {}): Promise<DispatcherHarness> {
    const temp = makeTempDir('clickwire-webhooks-');
    const backend = await openEmbeddedBackend({
      dataDir: temp.dir,
      captureDurability: 'process',
      captureMaxBatch: 100,
      portableAdaptersOnly: options.portable ?? false,
    });
    const transport = new UndiciWebhookTransport({
      allowPrivateAddresses: !options.guard,
      maxResponseBytes: MAX_PAYLOAD_BYTES,
      ...(options.resolveAll ? { resolveAll: options.resolveAll } : {}),
    });
    const harness = new DispatcherHarness(backend, transport, options, temp.remove);
    const tenancy = new TenancyService({
      workspaces: backend.workspaces,
      apiKeys: backend.apiKeys,
      clock: harness.clock,
    });
    harness.workspaceId = (await tenancy.bootstrap(null)).workspace.workspaceId;
    harness.service = new WebhookService(
      {
        subscriptions: backend.subscriptions,
        deliveries: backend.deliveries,
        log: backend.deliveryLog,
        transport,
        clock: harness.clock,
        random: () => 0.5,
      },
      { retryScheduleMs: TEST_SCHEDULE_MS, timeoutMs: 2_000, allowPrivateAddresses: !options.guard },
    );
    harness.dispatcher = harness.newDispatcher();
    return harness;
  }

  /** A fresh dispatcher over the same store (as after a restart). */
  newDispatcher(overrides: Partial<DispatcherOptions> = {}): Dispatcher {
    return new Dispatcher(
      {
        deliveries: this.backend.deliveries,
        subscriptions: this.backend.subscriptions,
        transport: this.transport,
        clock: this.clock,
        logger: this.logger,
        // Jitter factor exactly 1: retries land on the schedule.
        random: () => 0.5,
      },
      {
        consumer: 'dispatcher',
        fanOutBatchSize: 100,
        retryScheduleMs: TEST_SCHEDULE_MS,
        timeoutMs: 2_000,
        pause: { afterMs: 3_600_000, minFailures: 10 },
        concurrencyPerSubscription: 4,
        idlePollMs: 1,
        leaseMs: 60_000,
        claimIntervalMs: 0,
        recordWindowMs: 1,
        fanOutCoalesceMs: 0,
        allowPrivateAddresses: !this.options.guard,
        ...this.options.dispatcher,
        ...overrides,
      },
    );
  }

  async subscribe(input: Partial<NewSubscriptionInput> & { url: string }) {
    return this.service.createSubscription(this.workspaceId, { eventTypes: ['click.*', 'link.*'], ...input });
  }

  /** Stores events as a stage would (in one transaction). */
  async append(...events: StoredEvent[]): Promise<void> {
    await this.backend.processing.commit({
      consumer: 'test-event-writer',
      position: ++this.eventPosition,
      at: this.clock.now(),
      clicks: [],
      relabels: [],
      visitorWindows: [],
      rollups: [],
      events,
    });
  }

  /** Passes until there is nothing left to do right now, waiting for every answer. */
  async drain(dispatcher = this.dispatcher): Promise<void> {
    for (let pass = 0; pass < 200; pass++) {
      const busy = await dispatcher.tick();
      const answered = dispatcher.activeRequests > 0;
      await dispatcher.settle();
      if (!busy && !answered) return;
    }
    throw new Error('the dispatcher did not settle within 200 passes');
  }

  /** Moves the clock, then drains. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await this.drain();
  }

  async deliveries(subscriptionId?: string) {
    const page = await this.service.listDeliveries(
      this.workspaceId,
      subscriptionId ? { subscriptionId } : {},
      null,
      1000,
    );
    return page.items;
  }

  async close(): Promise<void> {
    await this.dispatcher.stop();
    await this.transport.close();
    await this.backend.close();
    this.remove();
  }
}
