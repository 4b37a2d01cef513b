import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../kernel/module-worker.js';
import type { SqliteOptions } from './open-sqlite.js';
import type { EncodedBatch } from './sqlite-batch-writer.js';

/** What the commit thread is started with. */
export interface CommitThreadData {
  readonly file: string;
  readonly sqlite: SqliteOptions;
}

/** Messages between the processor's thread and its commit thread. */
export type CommitRequest = { readonly id: number; readonly batch: EncodedBatch } | { readonly close: true };
export type CommitReply =
  | { readonly id: number; readonly duplicates: string[] }
  | { readonly id: number; readonly error: { readonly message: string; readonly code: string | null } };

/**
 * Writes processor batches from a thread of its own, on its own connection to the store (see
 * docs/adr/2026-11-28-processor-commit-thread.md): while SQLite writes one batch, the processor
 * classifies the next. Batches are written one at a time, in the order they were handed over.
 */
export class SqliteCommitThread {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (duplicates: string[]) => void; reject: (error: Error) => void }
  >();
  private failure: Error | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(data: CommitThreadData) {
    this.worker = startModuleWorker(import.meta.url, 'sqlite-commit-thread-main', data);
    this.worker.unref();
    this.worker.on('message', (reply: CommitReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      this.settleIdle();
      if ('duplicates' in reply) waiting.resolve(reply.duplicates);
      else waiting.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the store commit thread exited')));
  }

  /** Writes the batch in one transaction; resolves with the ids of clicks stored already (then nothing was written). */
  write(batch: EncodedBatch): Promise<string[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const written = new Promise<string[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced while a write is in flight, so the process waits for it.
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, batch } satisfies CommitRequest);
    });
    this.inFlight.add(written);
    const forget = () => this.inFlight.delete(written);
    written.then(forget, forget);
    return written;
  }

  /** Stops the thread after the writes in flight; its connection is closed. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref();
    this.worker.postMessage({ close: true } satisfies CommitRequest);
    await exited;
  }

  private settleIdle(): void {
    if (this.pending.size === 0) this.worker.unref();
  }
}
