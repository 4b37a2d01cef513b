import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies WAL frames back into the database file from a worker thread, on its own connection.
 * SQLite would otherwise run that checkpoint inside whichever commit crossed the threshold — on the
 * event loop, in the middle of answering redirects — which is what pushed p99 to 10–20 ms.
 * In WAL mode a PASSIVE checkpoint runs alongside writers without blocking them.
 */
export class WalCheckpointer {
  private readonly worker: Worker;

  constructor(file: string, intervalMs = 1000) {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driverPath, intervalMs } });
    this.worker.unref();
  }

  /** Stops the worker after one last full checkpoint that also truncates the WAL. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Referenced again while it finishes: otherwise a process with nothing else left to do would
    // exit under an unsettled await instead of waiting for the final checkpoint.
    this.worker.ref();
    this.worker.postMessage('stop');
    await exited;
  }
}

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const checkpoint = (mode) => { try { db.pragma('wal_checkpoint(' + mode + ')'); } catch {} };
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort.close();
});
`;
