import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, headers, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { ClickLog, ClickLogConsumer, ConsumerOptions } from '../../click-log/click-log.js';
import type { RawClick } from '../../click-log/raw-click.js';
import type { NatsConfig } from '../../config/nats-config.js';
import { ClickSubjects } from './click-subjects.js';
import { JetStreamClickLogConsumer } from './jetstream-click-log-consumer.js';
import { NoRespondersError, PipelinedRequests } from './pipelined-requests.js';
import { checkPubAck } from './pub-ack.js';
import { encodeRawClick } from './raw-click-codec.js';

export interface JetStreamClickLogOptions {
  /** Server URLs (`nats://host:4222`, `tls://…`); credentials go in `user`/`pass` or `token`. */
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** Connection name the server shows in its monitoring. */
  readonly connectionName?: string;
  /** Stream name, e.g. `CLICKWIRE_CLICKS`. */
  readonly stream: string;
  /** Subject prefix; clicks go to `<prefix>.<partition>`. */
  readonly subjectPrefix: string;
  /** Partitions (subjects) the workspaces are hashed over. */
  readonly partitions: number;
  /** Copies of each message in a cluster (1, 3 or 5); an acknowledged publish is on a majority. */
  readonly replicas: number;
  /** How long the stream keeps a click whatever the consumers did with it. */
  readonly maxAgeMs: number;
  /** A republished `click_id` within this window is dropped by the server (`Nats-Msg-Id`). */
  readonly duplicateWindowMs: number;
  /** A message handed to a processor and not acknowledged within this long goes to another. */
  readonly ackWaitMs: number;
  /** Messages a group may have handed out and unacknowledged at once, across its processors. */
  readonly maxAckPending: number;
  /** How long a processor's fetch waits for a first click when there is none. */
  readonly fetchWaitMs: number;
  /** How long an append, or a processor's acknowledgement, waits for the server's answer before it fails. */
  readonly requestTimeoutMs: number;
}

/** Defaults for everything but where the server is. */
export const JETSTREAM_CLICK_LOG_DEFAULTS = {
  stream: 'CLICKWIRE_CLICKS',
  subjectPrefix: 'clickwire.clicks',
  partitions: 16,
  replicas: 1,
  maxAgeMs: 7 * 86_400_000,
  duplicateWindowMs: 120_000,
  ackWaitMs: 30_000,
  maxAckPending: 20_000,
  fetchWaitMs: 500,
  requestTimeoutMs: 5_000,
} as const satisfies Partial<JetStreamClickLogOptions>;

/**
 * The scale-out click log: a JetStream stream, file storage, subjects partitioned by workspace.
 *
 * Appends are publishes with `Nats-Msg-Id` = `click_id`, each resolving on the server's
 * acknowledgement — that is, once the stream stored it (on a majority of replicas in a cluster).
 * They are pipelined ({@link PipelinedRequests}): every append of every request is in flight at
 * once on one connection, and no append waits for another's acknowledgement. A publish retried
 * after a lost acknowledgement is dropped as a duplicate by the server within the duplicate window.
 *
 * Processors consume through a durable pull consumer per group, with explicit acknowledgement
 * after their store commit: see {@link JetStreamClickLogConsumer}.
 */
export class JetStreamClickLog implements ClickLog {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly requests: PipelinedRequests,
    private readonly jsm: JetStreamManager,
    private readonly subjects: ClickSubjects,
    private readonly options: JetStreamClickLogOptions,
  ) {}

  /** Connects, then creates the stream or brings its settings up to date. */
  static async open(options: JetStreamClickLogOptions): Promise<JetStreamClickLog> {
    const subjects = new ClickSubjects(options.subjectPrefix, options.partitions);
    const nc = await connect({
      servers: [...options.servers],
      ...(options.user !== undefined ? { user: options.user } : {}),
      ...(options.pass !== undefined ? { pass: options.pass } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
      name: options.connectionName ?? 'clickwire',
      // An edge keeps answering 503 while the server is away, and recovers when it returns.
      maxReconnectAttempts: -1,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, subjects, options);
      return new JetStreamClickLog(
        nc,
        new PipelinedRequests(nc, options.requestTimeoutMs),
        jsm,
        subjects,
        options,
      );
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Publishes awaiting the server's acknowledgement right now; a gauge of pipelining. */
  get appendsInFlight(): number {
    return this.inFlight.size;
  }

  append(click: RawClick): Promise<void> {
    if (this.closed) return Promise.reject(new Error('click log is closed'));
    return this.publish(click);
  }

  async appendMany(clicks: readonly RawClick[]): Promise<void> {
    if (this.closed) throw new Error('click log is closed');
    await Promise.all(clicks.map((click) => this.publish(click)));
  }

  /** Creates the group's durable consumer if it is not there, or brings its settings up to date. */
  async openConsumer(options: ConsumerOptions): Promise<ClickLogConsumer> {
    await ensureConsumer(this.jsm, options.group, this.options);
    return new JetStreamClickLogConsumer(this.nc, this.requests, {
      stream: this.options.stream,
      durable: options.group,
      batchSize: options.batchSize,
      fetchWaitMs: this.options.fetchWaitMs,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Every append handed in is answered (acknowledged or failed) before the connection goes.
    await Promise.allSettled([...this.inFlight]);
    this.requests.close();
    if (!this.nc.isClosed()) await this.nc.drain();
  }

  private publish(click: RawClick): Promise<void> {
    const messageHeaders = headers();
    messageHeaders.set('Nats-Msg-Id', click.clickId);
    const ack = this.requests
      .request(this.subjects.of(click.workspaceId), encodeRawClick(click), messageHeaders)
      .then(checkPubAck, (error: unknown) => {
        throw error instanceof NoRespondersError
          ? new Error('no JetStream stream listens on the click subject (no responders)')
          : error;
      });
    this.inFlight.add(ack);
    return ack.then(
      () => {
        this.inFlight.delete(ack);
      },
      (error: unknown) => {
        this.inFlight.delete(ack);
        throw error;
      },
    );
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  subjects: ClickSubjects,
  options: JetStreamClickLogOptions,
): Promise<void> {
  const settings = {
    subjects: [subjects.all],
    num_replicas: options.replicas,
    max_age: nanos(options.maxAgeMs),
    duplicate_window: nanos(options.duplicateWindowMs),
  };
  const existing = await jsm.streams.info(options.stream).catch((error: unknown) => {
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) return null;
    throw error;
  });
  if (existing === null) {
    // Two processes starting together may both get here; the second add of an identical
    // configuration succeeds.
    await jsm.streams.add({
      name: options.stream,
      ...settings,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
    });
    return;
  }
  if (existing.config.storage !== StorageType.File) {
    throw new Error(
      `stream ${options.stream} exists with ${existing.config.storage} storage; the click log needs file storage`,
    );
  }
  const current = existing.config;
  const differs =
    current.subjects?.join() !== settings.subjects.join() ||
    current.num_replicas !== settings.num_replicas ||
    current.max_age !== settings.max_age ||
    current.duplicate_window !== settings.duplicate_window;
  if (differs) await jsm.streams.update(options.stream, settings);
}

async function ensureConsumer(
  jsm: JetStreamManager,
  group: string,
  options: JetStreamClickLogOptions,
): Promise<void> {
  const settings = { ack_wait: nanos(options.ackWaitMs), max_ack_pending: options.maxAckPending };
  const existing = await jsm.consumers.info(options.stream, group).catch((error: unknown) => {
    if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) return null;
    throw error;
  });
  if (existing === null) {
    await jsm.consumers.add(options.stream, {
      durable_name: group,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      // Redelivered until acknowledged, however often: a click is never given up on.
      max_deliver: -1,
      ...settings,
    });
    return;
  }
  const current = existing.config;
  if (current.ack_wait !== settings.ack_wait || current.max_ack_pending !== settings.max_ack_pending) {
    await jsm.consumers.update(options.stream, group, settings);
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** The JetStream click log `CLICKWIRE_NATS_*` describes, with the defaults for the rest. */
export function openJetStreamClickLog(
  config: NatsConfig,
  connectionName?: string,
): Promise<JetStreamClickLog> {
  return JetStreamClickLog.open({
    ...JETSTREAM_CLICK_LOG_DEFAULTS,
    servers: config.servers,
    ...(config.user !== null ? { user: config.user } : {}),
    ...(config.pass !== null ? { pass: config.pass } : {}),
    ...(config.token !== null ? { token: config.token } : {}),
    ...(connectionName !== undefined ? { connectionName } : {}),
    stream: config.stream,
    subjectPrefix: config.subjectPrefix,
    partitions: config.partitions,
    replicas: config.replicas,
    ackWaitMs: config.ackWaitMs,
    maxAckPending: config.maxAckPending,
    maxAgeMs: config.maxAgeMs,
  });
}
