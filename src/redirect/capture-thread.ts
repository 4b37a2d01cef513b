import { once } from 'node:events';
import type { Config } from '../config/config.js';
import type { Logger } from '../kernel/logger.js';
import { startModuleWorker } from '../kernel/module-worker.js';
import type { CaptureRequest } from './capture-request.js';
import { type ClickCapture, UncapturableRequestError } from './click-capture.js';

/** Messages between the request thread and the capture thread. */
export type CaptureThreadMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'capture'; readonly batch: number; readonly requests: readonly CaptureRequest[] }
  /** Indexes (into the batch) of requests that were not made durable, with why. */
  | { readonly type: 'captured'; readonly batch: number; readonly failed: readonly CaptureFailure[] }
  | { readonly type: 'stop' };

export interface CaptureFailure {
  readonly index: number;
  readonly uncapturable: boolean;
  readonly message: string;
}

interface Waiting {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Click capture on a worker thread: the request thread only hands over plain facts, once per
 * event-loop turn for all requests of that turn; the capture thread derives the network facts,
 * appends to the click log with group commit, and answers once the batch is durable.
 *
 * Why: deriving `ip_hash` (an HMAC), the geo lookup, serialising and the SQLite commit cost more
 * per click than a bare redirect does. On the request thread they would halve redirect
 * throughput; on their own thread they run beside it on the second core. Durability is unchanged:
 * a redirect is still answered only after its click was committed.
 *
 * If the thread dies, waiting requests fail (the edge answers 503) and the process is asked to
 * drain and exit so a supervisor restarts it whole.
 */
export class ThreadedClickCapture implements ClickCapture {
  private pending: { request: CaptureRequest; waiting: Waiting }[] = [];
  private readonly inFlight = new Map<number, Waiting[]>();
  private nextBatch = 1;
  private flushScheduled = false;
  private stopping = false;
  private dead: Error | null = null;
  private readonly exited: Promise<unknown>;

  private constructor(
    private readonly worker: import('node:worker_threads').Worker,
    private readonly logger: Logger,
  ) {
    this.exited = once(worker, 'exit');
    worker.on('message', (message: CaptureThreadMessage) => {
      if (message.type === 'captured') this.settle(message.batch, message.failed);
    });
    worker.on('error', (error) => this.fail(error));
    void this.exited.then(() => this.fail(new Error('the capture thread exited')));
  }

  /** Starts the thread and waits until it can capture (its store and IP databases are open). */
  static async start(
    config: Config,
    logger: Logger,
    /** A `WakeSignal` buffer to notify after each commit (the processor of this process waits on it). */
    clicksCaptured?: SharedArrayBuffer,
  ): Promise<ThreadedClickCapture> {
    const worker = startModuleWorker(import.meta.url, 'capture-thread-main', { config, clicksCaptured });
    const [first] = (await Promise.race([
      once(worker, 'message'),
      once(worker, 'exit').then(() => [null]),
    ])) as [CaptureThreadMessage | null];
    if (first?.type !== 'ready') throw new Error('the capture thread exited during start-up');
    return new ThreadedClickCapture(worker, logger);
  }

  capture(request: CaptureRequest): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ request, waiting: { resolve, reject } });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async stop(): Promise<void> {
    this.flush();
    this.stopping = true;
    // The thread answers what it was sent before it reads the stop message.
    this.worker.postMessage({ type: 'stop' } satisfies CaptureThreadMessage);
    await this.exited;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.nextBatch++;
    const taken = this.pending;
    this.pending = [];
    this.inFlight.set(
      batch,
      taken.map((entry) => entry.waiting),
    );
    const message: CaptureThreadMessage = {
      type: 'capture',
      batch,
      requests: taken.map((entry) => entry.request),
    };
    this.worker.postMessage(message);
  }

  private settle(batch: number, failed: readonly CaptureFailure[]): void {
    const waiting = this.inFlight.get(batch);
    if (!waiting) return;
    this.inFlight.delete(batch);
    const failures = new Map(failed.map((failure) => [failure.index, failure]));
    waiting.forEach((entry, index) => {
      const failure = failures.get(index);
      if (!failure) entry.resolve();
      else entry.reject(failure.uncapturable ? new UncapturableRequestError() : new Error(failure.message));
    });
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    for (const waiting of this.inFlight.values()) for (const entry of waiting) entry.reject(error);
    this.inFlight.clear();
    for (const { waiting } of this.pending) waiting.reject(error);
    this.pending = [];
    if (!this.stopping) {
      this.logger.fatal(
        { err: error },
        'capture thread failed; shutting down so the process is restarted whole',
      );
      process.kill(process.pid, 'SIGTERM');
    }
  }
}
