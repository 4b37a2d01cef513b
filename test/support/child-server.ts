import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { TEST_ADMIN_KEY } from './test-server.js';

const READY_WITHIN_MS = 90_000;

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ChildServer {
  readonly process: ChildProcess;
  readonly edgeUrl: string;
  readonly apiUrl: string;
  readonly adminKey: string;
  /** Everything the child wrote to stderr and its log so far, for failure messages. */
  stderr(): string;
  /** SIGKILL: no drain, no flush — what a crash looks like. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  terminate(): Promise<number | null>;
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Clickwire as a separate process (`clickwire start`) over a given data directory, ready when this resolves. */
export async function startChildServer(
  dataDir: string,
  env: Record<string, string> = {},
  ports: { readonly edge: number; readonly api: number } | null = null,
): Promise<ChildServer> {
  // Fixed ports let a restarted server take over where a killed one stood, under the same load.
  const edgePort = ports?.edge ?? (await freePort());
  const apiPort = ports?.api ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      CLICKWIRE_DATA_DIR: dataDir,
      CLICKWIRE_EDGE_PORT: String(edgePort),
      CLICKWIRE_API_PORT: String(apiPort),
      CLICKWIRE_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
      CLICKWIRE_LOG_LEVEL: 'warn',
      ...env,
    },
    // The log (stdout, warn and above) is kept with stderr: a failing test shows what the server said.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: ChildServer = {
    process: child,
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    adminKey: TEST_ADMIN_KEY,
    stderr: () => stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    terminate: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  // A generous deadline, not a timing check: after a SIGKILL under load the restart replays a large
  // WAL and catches up on the click log, and on a loaded 2-core machine 30 s was seen not to do.
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickwire exited with ${child.exitCode}: ${stderr}`);
    if ((await answers(`${server.apiUrl}/readyz`)) && (await answers(`${server.edgeUrl}/healthz`)))
      return server;
    await sleep(100);
  }
  const probes = `readyz ${await statusOf(`${server.apiUrl}/readyz`)}, edge healthz ${await statusOf(`${server.edgeUrl}/healthz`)}`;
  await server.kill();
  throw new Error(`clickwire did not become ready within ${READY_WITHIN_MS / 1000} s (${probes}): ${stderr}`);
}

async function statusOf(url: string): Promise<string> {
  try {
    const response = await request(url);
    return `${response.statusCode} ${await response.body.text()}`;
  } catch (error) {
    return String(error);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await request(url);
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}
