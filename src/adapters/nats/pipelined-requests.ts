import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

interface Waiting {
  readonly resolve: (reply: Msg) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
}

/**
 * Requests with every one in flight at once: one reply subscription for all of them
 * (`<inbox>.<n>`) and one timer that fails those unanswered for too long. Used for JetStream
 * publishes (answered by a `PubAck`) and confirmed acknowledgements (answered by an empty message).
 *
 * Why not the client's `request` (which `JetStreamClient.publish` and `JsMsg.ackAck` use): each
 * call builds two `Error` objects up front, for their stack traces, and a timer of its own.
 * Measured here that was about 80 µs of CPU per click and held an edge near 12k clicks/s on one
 * core, far below what the server takes. The wire protocol is the same.
 */
export class PipelinedRequests {
  private readonly inbox = createInbox();
  private readonly waiting = new Map<number, Waiting>();
  private readonly subscription: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private next = 1;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.subscription = nc.subscribe(`${this.inbox}.*`, {
      callback: (error, msg) => {
        if (!error) this.settle(msg);
      },
    });
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(1000, timeoutMs / 4)));
    this.sweeper.unref();
  }

  /** Sends the message with a reply subject; resolves with the reply, rejects on no responders or timeout. */
  request(subject: string, data: Uint8Array, headers?: MsgHdrs): Promise<Msg> {
    const id = this.next++;
    return new Promise<Msg>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, data, { reply: `${this.inbox}.${id}`, ...(headers ? { headers } : {}) });
      } catch (error) {
        this.waiting.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Fails whatever is still waiting, and stops listening. */
  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    const closed = new Error('the connection to NATS is closed');
    for (const waiting of this.waiting.values()) waiting.reject(closed);
    this.waiting.clear();
  }

  private settle(msg: Msg): void {
    const id = Number(msg.subject.slice(this.inbox.length + 1));
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return; // answered after its timeout
    this.waiting.delete(id);
    if (msg.headers?.code === 503) waiting.reject(new NoRespondersError());
    else waiting.resolve(msg);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, waiting] of this.waiting) {
      // Insertion order is send order, so the first one still in time ends the sweep.
      if (waiting.deadline > now) break;
      this.waiting.delete(id);
      waiting.reject(new Error(`no answer from NATS within ${this.timeoutMs} ms`));
    }
  }
}

/** Nothing listens on the subject (for a publish: no stream covers it). */
export class NoRespondersError extends Error {
  constructor() {
    super('no responders: nothing listens on the subject');
    this.name = 'NoRespondersError';
  }
}
