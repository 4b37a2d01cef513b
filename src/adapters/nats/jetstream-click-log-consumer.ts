import { createInbox, type Msg, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { ClickLogConsumer, LogEntry } from '../../click-log/click-log.js';
import type { PipelinedRequests } from './pipelined-requests.js';
import { decodeRawClick } from './raw-click-codec.js';

export interface JetStreamConsumerOptions {
  readonly stream: string;
  /** The durable pull consumer of the group. */
  readonly durable: string;
  readonly batchSize: number;
  /** How long a fetch waits for a first message when the group has none pending. */
  readonly fetchWaitMs: number;
}

/** What the client gives up waiting for the server's end of a pull, beyond its own expiry. */
const FETCH_GRACE_MS = 5_000;

const ACK = new TextEncoder().encode('+ACK');
const NAK = new TextEncoder().encode('-NAK');
const TERM = new TextEncoder().encode('+TERM');

/**
 * One processor's handle on the group's durable pull consumer.
 *
 * Each `fetch` is one pull request asking for up to `batchSize` messages with `no_wait` and an
 * expiry: the server answers at once with what is pending, or waits (up to the expiry) for the
 * first message and then answers with what has arrived. So an idle processor costs one request per
 * `fetchWaitMs`, and a busy one gets full batches without waiting for a batch to fill.
 * (The client library's `fetch` waits for a full batch or its expiry, and its `consume` keeps
 * pulling ahead of the processor; neither fits "take what is there, commit, acknowledge".)
 *
 * What must stay true: a message is acknowledged only by `acknowledge`, which the processor calls
 * after its store transaction committed, and each acknowledgement is confirmed by the server
 * before `acknowledge` resolves. A message never acknowledged comes back after the consumer's ack
 * wait, to whichever processor of the group asks next.
 */
export class JetStreamClickLogConsumer implements ClickLogConsumer {
  readonly progress = 'log';
  /** Reply subjects of the messages handed out and not yet acknowledged or released, by position. */
  private readonly replies = new Map<number, string>();
  private readonly nextSubject: string;

  constructor(
    private readonly nc: NatsConnection,
    /** Confirmed acknowledgements go through these, all in flight together. */
    private readonly requests: PipelinedRequests,
    private readonly options: JetStreamConsumerOptions,
  ) {
    this.nextSubject = `$JS.API.CONSUMER.MSG.NEXT.${options.stream}.${options.durable}`;
  }

  fetch(): Promise<LogEntry[]> {
    const { batchSize, fetchWaitMs } = this.options;
    const entries: LogEntry[] = [];
    let received = 0;
    return new Promise<LogEntry[]>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sub.unsubscribe();
        if (error && entries.length === 0) reject(error);
        else resolve(entries);
      };
      const inbox = createInbox();
      const sub = this.nc.subscribe(inbox, {
        callback: (error, msg) => {
          if (error) return finish(error);
          if (msg.reply?.startsWith('$JS.ACK.')) {
            received++;
            this.take(msg, entries);
            if (received >= batchSize) finish(null);
            return;
          }
          const code = msg.headers?.code ?? 0;
          if (code === 100) return; // idle heartbeat
          // 404 no messages, 408 request expired: the normal ends of a pull. Other statuses (409:
          // consumer deleted, too many waiting pulls, leadership change) end it too; they fail the
          // fetch only if it brought nothing, so the processor logs them and tries again.
          if (code === 404 || code === 408) return finish(null);
          finish(new Error(`JetStream pull ended: ${code} ${msg.headers?.description ?? ''}`.trim()));
        },
      });
      // Without the server's answer (a lost connection) the request is given up; whatever it
      // would still deliver comes back after the ack wait.
      const timer = setTimeout(() => finish(null), fetchWaitMs + FETCH_GRACE_MS);
      this.nc.publish(
        this.nextSubject,
        JSON.stringify({ batch: batchSize, no_wait: true, expires: nanos(fetchWaitMs) }),
        { reply: inbox },
      );
    });
  }

  async acknowledge(entries: readonly LogEntry[]): Promise<void> {
    // All in flight together, each confirmed: `acknowledge` resolving means the server has them.
    await Promise.all(this.takeReplies(entries).map((reply) => this.requests.request(reply, ACK)));
  }

  async release(entries: readonly LogEntry[]): Promise<void> {
    for (const reply of this.takeReplies(entries)) this.nc.publish(reply, NAK);
    await this.nc.flush();
  }

  private take(msg: Msg, entries: LogEntry[]): void {
    const position = streamSequenceOf(msg.reply!);
    const click = decodeRawClick(msg.data);
    if (click === null) {
      // Not a click (written by something else, or damaged): it could never be processed.
      this.nc.publish(msg.reply!, TERM);
      return;
    }
    this.replies.set(position, msg.reply!);
    entries.push({ position, click });
  }

  private takeReplies(entries: readonly LogEntry[]): string[] {
    const replies: string[] = [];
    for (const { position } of entries) {
      const reply = this.replies.get(position);
      if (reply === undefined) continue;
      this.replies.delete(position);
      replies.push(reply);
    }
    return replies;
  }
}

/**
 * The stream sequence in a JetStream ack subject:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>`, or with
 * `<domain>.<account hash>.` after `$JS.ACK.` and a token at the end (servers from 2.10 on).
 */
export function streamSequenceOf(reply: string): number {
  const tokens = reply.split('.');
  const index = tokens.length === 9 ? 5 : 7;
  const sequence = Number(tokens[index]);
  if (!Number.isSafeInteger(sequence) || sequence < 1)
    throw new Error(`not a JetStream ack subject: ${reply}`);
  return sequence;
}
