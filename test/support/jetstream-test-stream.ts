import { randomBytes } from 'node:crypto';
import { jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  JETSTREAM_CLICK_LOG_DEFAULTS,
  JetStreamClickLog,
  type JetStreamClickLogOptions,
} from '../../src/adapters/nats/jetstream-click-log.js';

/**
 * Where the JetStream tests run: `CLICKWIRE_TEST_NATS_URL` (e.g. `nats://127.0.0.1:4222`, a server
 * started with `-js`), or `null` when it is not set — then the JetStream suites are skipped with a
 * note, unless `CLICKWIRE_REQUIRE_SERVICES` says a missing service is a failure (CI).
 */
export const TEST_NATS_URL: string | null = process.env.CLICKWIRE_TEST_NATS_URL || null;

/** `CLICKWIRE_REQUIRE_SERVICES=1` (or `true`): a service that is not configured fails the run. */
const SERVICES_REQUIRED = ['1', 'true'].includes(process.env.CLICKWIRE_REQUIRE_SERVICES ?? '');

export const JETSTREAM_SKIPPED =
  'JetStream suites skipped: set CLICKWIRE_TEST_NATS_URL=nats://127.0.0.1:4222 to run them (see DEVELOPERS.md)';

/**
 * Whether the JetStream suites run. Throws when services are required and no server is
 * configured, so CI fails instead of passing without them; otherwise prints why they are skipped.
 */
export function jetStreamAvailable(): boolean {
  if (TEST_NATS_URL !== null) return true;
  if (SERVICES_REQUIRED) {
    throw new Error('CLICKWIRE_REQUIRE_SERVICES is set but CLICKWIRE_TEST_NATS_URL is not');
  }
  console.warn(JETSTREAM_SKIPPED);
  return false;
}

/**
 * A stream of its own (`CW_TEST_<random>`, subjects `cw_test_<random>.clicks.*`) so runs and tests
 * never see each other's clicks; `drop` deletes it with everything in it. Short ack wait and fetch
 * wait, so redelivery tests do not wait out production timeouts.
 */
export class TestStream {
  readonly options: JetStreamClickLogOptions;

  constructor(overrides: Partial<JetStreamClickLogOptions> = {}) {
    if (TEST_NATS_URL === null) throw new Error('CLICKWIRE_TEST_NATS_URL is not set');
    const suffix = randomBytes(6).toString('hex');
    this.options = {
      ...JETSTREAM_CLICK_LOG_DEFAULTS,
      servers: [TEST_NATS_URL],
      connectionName: 'clickwire-test',
      stream: `CW_TEST_${suffix}`,
      subjectPrefix: `cw_test_${suffix}.clicks`,
      ackWaitMs: 1_000,
      fetchWaitMs: 100,
      ...overrides,
    };
  }

  /** The `CLICKWIRE_NATS_*` settings that point a Clickwire process at this stream. */
  env(): Record<string, string> {
    return {
      CLICKWIRE_NATS_URL: this.options.servers.join(','),
      CLICKWIRE_NATS_STREAM: this.options.stream,
      CLICKWIRE_NATS_SUBJECT_PREFIX: this.options.subjectPrefix,
      CLICKWIRE_NATS_ACK_WAIT_MS: String(this.options.ackWaitMs),
    };
  }

  /** A click log on this stream with a connection of its own (as another process would have). */
  openLog(overrides: Partial<JetStreamClickLogOptions> = {}): Promise<JetStreamClickLog> {
    return JetStreamClickLog.open({ ...this.options, ...overrides });
  }

  /** How many messages the stream holds, asked over a connection of its own. */
  async messageCount(): Promise<number> {
    return this.withManager(async (jsm) => (await jsm.streams.info(this.options.stream)).state.messages);
  }

  /** The stream's configuration as the server holds it. */
  async config(): Promise<StreamConfig> {
    return this.withManager(async (jsm) => (await jsm.streams.info(this.options.stream)).config);
  }

  /** The subject the message at this stream sequence was published on. */
  async subjectAt(seq: number): Promise<string | null> {
    return this.withManager(
      async (jsm) => (await jsm.streams.getMessage(this.options.stream, { seq }))?.subject ?? null,
    );
  }

  /** Publishes a body that is not a click onto one of the stream's subjects. */
  async publishRaw(body: string): Promise<void> {
    await this.withManager(async (jsm) => {
      await jsm.jetstream().publish(`${this.options.subjectPrefix}.0`, body);
    });
  }

  /**
   * The group's durable consumer as the server sees it: messages not yet handed out (`pending`) and
   * handed out but not acknowledged (`unacknowledged`).
   */
  async consumerState(group: string): Promise<{ pending: number; unacknowledged: number }> {
    return this.withManager(async (jsm) => {
      const info = await jsm.consumers.info(this.options.stream, group);
      return { pending: info.num_pending, unacknowledged: info.num_ack_pending };
    });
  }

  /** Deletes the stream (and its consumers); a stream already gone is fine. */
  async drop(): Promise<void> {
    await this.withManager((jsm) => jsm.streams.delete(this.options.stream).catch(() => false));
  }

  private async withManager<T>(
    use: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>,
  ): Promise<T> {
    const nc = await connect({ servers: [...this.options.servers] });
    try {
      return await use(await jetstreamManager(nc));
    } finally {
      await nc.close();
    }
  }
}
