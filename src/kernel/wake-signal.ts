/**
 * A nudge from one stage to the next inside one process: the capture thread after it committed
 * clicks, the processor after it committed events. The stage downstream waits on it instead of
 * sleeping a whole poll interval, so a click travels the pipeline without a poll's delay at each
 * hop.
 *
 * It is a counter in a `SharedArrayBuffer`, so it crosses worker threads (hand `buffer` over in
 * `workerData`) and works within one thread too. `notify` is an atomic increment: it costs next
 * to nothing when nobody waits, and many notifications before a wait collapse into one wake-up.
 *
 * What must stay true: a wake-up is only a hint. Waiters still poll (the signal only shortens the
 * wait), because other processes writing the same store — scale-out roles, a second process on
 * the SQLite file — cannot reach it.
 */
export class WakeSignal {
  private readonly counter: Int32Array;
  /** The counter as of the end of the last wait: a notification after it ends the next wait at once. */
  private seen: number;
  /** Ends the current wait; a wait the caller abandoned (raced and lost) is no longer here. */
  private waiter: (() => void) | null = null;
  /** Whether an `Atomics.waitAsync` is pending: one at a time, however many waits come and go. */
  private listening = false;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.counter = new Int32Array(buffer, 0, 1);
    this.seen = Atomics.load(this.counter, 0);
  }

  /** Wakes the current waiter, or makes the next wait return at once. */
  notify(): void {
    Atomics.add(this.counter, 0, 1);
    Atomics.notify(this.counter, 0);
  }

  /**
   * Resolves at the first notification since the previous wait returned, at `interrupt`, or after
   * `timeoutMs`. One waiting thread per instance (give each its own `WakeSignal` on the buffer).
   * Stop a wait early with `interrupt`, not by racing it against something else: a notification
   * that came afterwards would end the abandoned wait and be lost to the next.
   */
  wait(timeoutMs: number): Promise<void> {
    const current = Atomics.load(this.counter, 0);
    if (current !== this.seen) {
      this.seen = current;
      return Promise.resolve();
    }
    if (!this.listening) this.listen(current);
    return new Promise((resolve) => {
      // The timer is also what keeps the event loop alive: a pending `waitAsync` does not.
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        // Only the latest wait moves `seen`.
        if (this.waiter === done) {
          this.waiter = null;
          this.seen = Atomics.load(this.counter, 0);
        }
        resolve();
      };
      this.waiter = done;
    });
  }

  /** Ends the current wait now (a local reason to look again, such as stopping). */
  interrupt(): void {
    this.waiter?.();
  }

  /** Waits (without a timeout, so no timer per wait) for the counter to move from `from`. */
  private listen(from: number): void {
    this.listening = true;
    const changed = () => {
      this.listening = false;
      this.waiter?.();
    };
    const waiting = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(this.counter, 0, from);
    if (waiting.async) void waiting.value.then(changed);
    else queueMicrotask(changed);
  }
}

/** `Atomics.waitAsync` (in Node since 16); the configured TypeScript `lib` predates its typing. */
interface AtomicsWithWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}
