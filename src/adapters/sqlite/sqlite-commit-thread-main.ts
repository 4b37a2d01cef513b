import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './open-sqlite.js';
import { SqliteBatchWriter } from './sqlite-batch-writer.js';
import type { CommitReply, CommitRequest, CommitThreadData } from './sqlite-commit-thread.js';

/** Entry point of the store commit thread started by `SqliteCommitThread`. */
const { file, sqlite } = workerData as CommitThreadData;
const port = parentPort!;
const db = openSqlite(file, sqlite);
const writer = new SqliteBatchWriter(db);

port.on('message', (request: CommitRequest) => {
  if ('close' in request) {
    db.close();
    port.close();
    return;
  }
  const { id, batch } = request;
  let reply: CommitReply;
  try {
    reply = { id, duplicates: writer.write(batch) };
  } catch (error) {
    const code =
      error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : null;
    reply = { id, error: { message: error instanceof Error ? error.message : String(error), code } };
  }
  port.postMessage(reply);
});
