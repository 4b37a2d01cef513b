import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { freePort } from './child-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type Role = 'api' | 'edge' | 'processor' | 'dispatcher';

/** One `clickwire start --role …` child process. */
export interface RoleProcess {
  readonly role: Role;
  readonly child: ChildProcess;
  /** The port it serves on (edge and API), `null` for the others. */
  readonly port: number | null;
  /** `http://127.0.0.1:{port}` (edge and API). */
  readonly url: string;
  /** Everything it wrote to stderr so far, for failure messages. */
  stderr(): string;
  /** SIGKILL — no drain, no flush: what a crash looks like — and wait until it is gone. */
  kill(): Promise<void>;
}

/**
 * Starts roles as separate processes (`node --import tsx src/cli.ts start --role …`), each with
 * the shared environment plus its role's own; `killAll` SIGKILLs whatever is still running.
 */
export class RoleProcesses {
  private readonly running = new Set<RoleProcess>();

  constructor(
    private readonly env: () => Record<string, string>,
    private readonly roleEnv: Partial<Record<Role, Record<string, string>>> = {},
  ) {}

  /** Starts a role; an edge or API on `port` when given (e.g. where a killed one stood), else a free one. */
  async start(role: Role, port?: number): Promise<RoleProcess> {
    const own = role === 'edge' || role === 'api' ? (port ?? (await freePort())) : null;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'start', '--role', role],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ...this.env(),
          // Each role binds only its own port; the other one must merely be valid.
          CLICKWIRE_EDGE_PORT: String(role === 'edge' ? own : await freePort()),
          CLICKWIRE_API_PORT: String(role === 'api' ? own : await freePort()),
          ...this.roleEnv[role],
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const started: RoleProcess = {
      role,
      child,
      port: own,
      url: `http://127.0.0.1:${own}`,
      stderr: () => stderr,
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
        this.running.delete(started);
      },
    };
    this.running.add(started);
    return started;
  }

  /** Waits until `owner` answers 200 on `path` (`/healthz`, `/readyz`); fails if it exits first. */
  async ready(owner: RoleProcess, path: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (owner.child.exitCode !== null) throw new Error(`${owner.role} exited: ${owner.stderr()}`);
      try {
        const { statusCode, body } = await request(`${owner.url}${path}`);
        await body.dump();
        if (statusCode === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${owner.role} not ready: ${owner.stderr()}`);
  }

  /** The stderr of every process still running, for failure messages. */
  stderr(): string {
    return [...this.running].map((p) => `[${p.role}] ${p.stderr()}`).join('\n');
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.running].map((p) => p.kill()));
  }
}
