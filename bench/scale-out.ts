/**
 * Scale-out benchmark (issue 6): redirect rps and end-to-end clicks/s (redirect → stored click) of
 * Clickwire on PostgreSQL + NATS JetStream with its roles as separate processes, beside the embedded
 * mode (one `clickwire start`, SQLite) measured in the same run, with the ratio.
 *
 *   npm run bench:scale-out -- [--seconds 15] [--rounds 2] [--warmup 3] [--connections 50] [--drain-limit 90]
 *                              [--configs embedded,1x1,2x2] [--generator auto|wrk|autocannon]
 *                              [--skip-build] [--skip-docs]
 *
 * Configurations, one after another, each on fresh state, in `--rounds` rounds (the second in reverse
 * order, so drift of the shared machine falls on every configuration alike); figures are medians over
 * the rounds, ratios are ratios of medians:
 *   embedded  `clickwire start` (all roles in one process, SQLite store and log) — the baseline;
 *   1x1       1 edge + 1 processor (+ 1 API for the link), PostgreSQL store + JetStream click log;
 *   2x2       2 edges + 2 processors (+ 1 API); the generator's connections split over both edges.
 * Each PostgreSQL configuration gets a schema of its own (`cw_bench_<random>`, passed to every
 * process through `?options=-c search_path=…`) and a stream of its own (`CW_BENCH_<random>`); both
 * are dropped afterwards, also when the run fails.
 *
 * Per configuration: start, create the link, a warm-up load, wait until everything is stored; then
 * `--seconds` of load, then wait until the processors stored every logged click (at most
 * `--drain-limit` s). Figures:
 *   - redirect rps = answers ÷ load duration (both edges summed in 2x2);
 *   - end-to-end clicks/s = clicks stored ÷ time from load start until the last of them was stored;
 *   - backlog at load end (logged but not yet stored) and machine CPU per stored click;
 *   - other load: CPU used meanwhile by processes that are neither this bench's nor PostgreSQL's nor
 *     nats-server's (someone else's work on the shared machine), as a share of both cores.
 * Check: stored clicks == logged clicks, and logged − 302 answers within [0, in-flight allowance]
 * (a timed generator stops with up to one request per connection sent but never answered).
 *
 * Services: `CLICKWIRE_TEST_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/test) and
 * `CLICKWIRE_TEST_NATS_URL` (default nats://127.0.0.1:4222, JetStream on). Everything loads only
 * 127.0.0.1; the generator is pinned to core 1 (taskset), servers, PostgreSQL and NATS share both cores.
 * Every process started here is stopped by its PID; a watchdog ends the run if it overruns.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import pg from 'pg';
import { writePerformanceSection } from './support/performance-doc.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WRK_SCRIPT = path.join(ROOT, 'bench', 'wrk-report.lua');
const API_KEY = 'cw_bench_scale_out_0123456789abcdef01234567';
const ALIAS = 'bench';
const DESTINATION = 'https://example.com/landing';
const REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'User-Agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9',
};
const DATABASE_URL = process.env.CLICKWIRE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.CLICKWIRE_TEST_NATS_URL || 'nats://127.0.0.1:4222';

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'drain-limit': { type: 'string', default: '90' },
    configs: { type: 'string', default: 'embedded,1x1,2x2' },
    generator: { type: 'string', default: 'auto' },
    'skip-build': { type: 'boolean', default: false },
    'skip-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}

function integerArg(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer in [${min}, ${max}], got ${raw}`);
    process.exit(2);
  }
  return value;
}

const SECONDS = integerArg('seconds', args.seconds, 1, 300);
const ROUNDS = integerArg('rounds', args.rounds, 1, 10);
const WARMUP = integerArg('warmup', args.warmup, 0, 60);
const CONNECTIONS = integerArg('connections', args.connections, 2, 10_000);
const DRAIN_LIMIT = integerArg('drain-limit', args['drain-limit'], 1, 600);

interface Configuration {
  readonly key: 'embedded' | '1x1' | '2x2';
  readonly label: string;
  /** 0 for the embedded mode (one `clickwire start`). */
  readonly edges: number;
  readonly processors: number;
}

const ALL_CONFIGURATIONS: readonly Configuration[] = [
  { key: 'embedded', label: 'embedded: 1 × `clickwire start`, SQLite', edges: 0, processors: 0 },
  { key: '1x1', label: 'PostgreSQL + JetStream: 1 edge + 1 processor', edges: 1, processors: 1 },
  { key: '2x2', label: 'PostgreSQL + JetStream: 2 edges + 2 processors', edges: 2, processors: 2 },
];
const wanted = new Set((args.configs ?? '').split(',').filter(Boolean));
for (const key of wanted) {
  if (!ALL_CONFIGURATIONS.some((c) => c.key === key)) {
    console.error(`--configs: unknown configuration ${key} (expected embedded, 1x1, 2x2)`);
    process.exit(2);
  }
}
const CONFIGURATIONS = ALL_CONFIGURATIONS.filter((c) => wanted.has(c.key));
if (CONFIGURATIONS.length === 0) {
  console.error('--configs: nothing to run');
  process.exit(2);
}
const NEEDS_SERVICES = CONFIGURATIONS.some((c) => c.edges > 0);

// ---------------------------------------------------------------------------------------------
// Processes, temp dirs, schemas and streams: everything made here is undone here.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const undo = new Map<string, () => Promise<void>>();
let cleaningUp: Promise<void> | null = null;

/** Every PID this bench started, for telling its CPU use from other work on the machine. */
const ourPids = new Set<number>([process.pid]);

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  if (child.pid !== undefined) ourPids.add(child.pid);
  child.once('exit', () => children.delete(child));
  return child;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function exited(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM to this PID, SIGKILL if it has not exited within `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    if (child.pid !== undefined && !hasExited(child)) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
  }, graceMs);
  await exited(child);
  clearTimeout(timer);
}

function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child, 5_000)));
    for (const [what, run] of undo) {
      await run().catch((error: unknown) => console.error(`could not drop ${what}: ${String(error)}`));
    }
    undo.clear();
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  })();
  return cleaningUp;
}

process.on('exit', () => {
  for (const child of children) {
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
  }
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping everything this bench started…`);
    void cleanup().finally(() => process.exit(130));
  });
}
// Bounded in time whatever happens: load, drain limits and start-ups are all bounded, this is the backstop.
const WATCHDOG_MS =
  (240 + ROUNDS * CONFIGURATIONS.length * (60 + 2 * WARMUP + SECONDS + 2 * DRAIN_LIMIT)) * 1000;
setTimeout(() => {
  console.error(`bench:scale-out: still running after ${WATCHDOG_MS / 1000} s, giving up`);
  void cleanup().finally(() => process.exit(1));
}, WATCHDOG_MS).unref();

function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Machine, pinning, generator

const CORES = os.cpus().length;
const HAS_TASKSET = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).error === undefined;
const PINNED = HAS_TASKSET && CORES >= 2;
const GENERATOR_CORES = '1';

function pinned(command: string, commandArgs: string[]): [string, string[]] {
  return PINNED ? ['taskset', ['-c', GENERATOR_CORES, command, ...commandArgs]] : [command, commandArgs];
}

function wrkVersion(): string | null {
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (probe.error) return null;
  return /wrk\s+(\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown';
}

const WRK_VERSION = wrkVersion();
if (!['auto', 'wrk', 'autocannon'].includes(args.generator ?? 'auto')) {
  console.error('--generator must be auto, wrk or autocannon');
  process.exit(2);
}
if (args.generator === 'wrk' && WRK_VERSION === null) {
  console.error('--generator wrk: wrk is not installed');
  process.exit(2);
}
const GENERATOR: 'wrk' | 'autocannon' =
  args.generator === 'autocannon' || WRK_VERSION === null ? 'autocannon' : 'wrk';
const AUTOCANNON_BIN = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const AUTOCANNON_VERSION = (
  JSON.parse(fs.readFileSync(path.join(path.dirname(AUTOCANNON_BIN), 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
const GENERATOR_LABEL =
  GENERATOR === 'wrk' ? `wrk ${WRK_VERSION} (1 thread per instance)` : `autocannon ${AUTOCANNON_VERSION}`;

/** Busy and total CPU ticks of the whole machine (all cores), from /proc/stat; null without it. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1, 9).map(Number);
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy, total: busy + idle! + iowait! };
  } catch {
    return null;
  }
}
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * CPU ticks (utime + stime) and command name of every user-space process, from /proc; empty
 * without it. Kernel threads (children of kthreadd) are left out: under this load they are mostly
 * the kernel moving this bench's own loopback traffic and disk writes.
 */
function processSnapshot(): Map<number, { comm: string; ticks: number }> {
  const snapshot = new Map<number, { comm: string; ticks: number }>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return snapshot;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (entry === '2' || fields[1] === '2') continue;
      snapshot.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return snapshot;
}

/**
 * CPU ticks used between two snapshots by processes other than this bench's, PostgreSQL's and
 * nats-server's (processes that started and ended in between are missed).
 */
function otherTicks(
  before: Map<number, { comm: string; ticks: number }>,
  after: Map<number, { comm: string; ticks: number }>,
): { ticks: number; top: string } {
  let ticks = 0;
  const users: { what: string; ticks: number }[] = [];
  for (const [pid, now] of after) {
    if (ourPids.has(pid) || now.comm === 'postgres' || now.comm === 'nats-server') continue;
    const then = before.get(pid);
    const used = then && then.comm === now.comm ? Math.max(0, now.ticks - then.ticks) : now.ticks;
    ticks += used;
    if (used > 0) users.push({ what: `${now.comm} (${pid})`, ticks: used });
  }
  users.sort((a, b) => b.ticks - a.ticks);
  const top = users
    .slice(0, 3)
    .map((u) => `${u.what} ${(u.ticks / CLK_TCK).toFixed(1)} s`)
    .join(', ');
  return { ticks, top };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface SimpleResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number, base: number) =>
  base > 0 && Number.isFinite(n) ? `${(n / base).toFixed(2)}×` : '—';

// ---------------------------------------------------------------------------------------------
// Services: PostgreSQL and JetStream must answer before anything starts.

async function checkServices(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    console.error(
      `bench:scale-out needs PostgreSQL at ${DATABASE_URL} (set CLICKWIRE_TEST_DATABASE_URL; see DEVELOPERS.md), ` +
        `but it does not answer: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(2);
  } finally {
    await client.end().catch(() => {});
  }
  let nc: NatsConnection | null = null;
  try {
    nc = await connect({ servers: NATS_URL.split(','), timeout: 5_000 });
    await (await jetstreamManager(nc)).getAccountInfo();
  } catch (error) {
    console.error(
      `bench:scale-out needs NATS with JetStream at ${NATS_URL} (set CLICKWIRE_TEST_NATS_URL; see DEVELOPERS.md), ` +
        `but it does not answer: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(2);
  } finally {
    await nc?.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Build: into a private outDir, so others rebuilding dist/ cannot change the code under test.

let cliEntry: { args: string[]; mode: string } = {
  args: [path.join(ROOT, 'dist', 'src', 'cli.js')],
  mode: 'compiled (existing dist/, --skip-build)',
};

function build(): void {
  if (args['skip-build']) return;
  const dir = makeTempDir('clickwire-scale-out-build-');
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const dist = path.join(dir, 'dist');
  console.log(`building: npm run build -- --outDir ${dist}`);
  const result = spawnSync('npm', ['run', 'build', '--silent', '--', '--outDir', dist], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) {
    console.error(`npm run build failed:\n${result.stdout}${result.stderr}`.slice(0, 4000));
    process.exit(1);
  }
  cliEntry = { args: [path.join(dist, 'src', 'cli.js')], mode: 'compiled (`npm run build`)' };
}

// ---------------------------------------------------------------------------------------------
// Clickwire processes

type Role = 'all' | 'edge' | 'processor' | 'api';

interface Running {
  readonly role: Role;
  readonly child: ChildProcess;
  readonly edgeUrl: string;
  readonly apiUrl: string;
  readonly logFile: string;
}

async function startProcess(
  role: Role,
  dir: string,
  extraEnv: Record<string, string>,
  index: number,
): Promise<Running> {
  const [edgePort, apiPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('CLICKWIRE_')) env[name] = value;
  Object.assign(env, {
    CLICKWIRE_HOST: '127.0.0.1',
    CLICKWIRE_DATA_DIR: path.join(dir, 'data'),
    CLICKWIRE_EDGE_PORT: String(edgePort),
    CLICKWIRE_API_PORT: String(apiPort),
    CLICKWIRE_BOOTSTRAP_API_KEY: API_KEY,
    CLICKWIRE_LOG_LEVEL: 'warn',
    ...extraEnv,
  });
  const logFile = path.join(dir, `${role}-${index}.log`);
  const log = fs.openSync(logFile, 'a');
  const roleArgs = role === 'all' ? [] : ['--role', role];
  const child = track(
    spawn(process.execPath, [...cliEntry.args, 'start', ...roleArgs], {
      cwd: ROOT,
      env,
      stdio: ['ignore', log, log],
    }),
  );
  fs.closeSync(log);
  child.on('error', (error) => console.error(`${role}: ${error.message}`));
  return {
    role,
    child,
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    logFile,
  };
}

async function waitUntil(
  what: string,
  owner: Running,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited(owner.child)) {
      throw new Error(
        `${what}: exited (${owner.child.exitCode ?? owner.child.signalCode}) before it was ready:\n${tail(owner.logFile)}`,
      );
    }
    if (await probe().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s:\n${tail(owner.logFile)}`);
}

async function createLink(api: Running): Promise<void> {
  const created = await request(`${api.apiUrl}/v1/links`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ destination_url: DESTINATION, alias: ALIAS }),
  });
  if (created.status !== 201) throw new Error(`POST /v1/links answered ${created.status}: ${created.body}`);
}

/** Every edge redirects the bench link (an edge polls route changes every 500 ms). */
async function waitForRedirect(edge: Running): Promise<void> {
  await waitUntil(
    `edge ${edge.edgeUrl}`,
    edge,
    async () => {
      const answer = await request(`${edge.edgeUrl}/${ALIAS}`, { headers: { ...REQUEST_HEADERS } });
      return answer.status === 302 && answer.headers.location === DESTINATION;
    },
    30_000,
  );
}

// ---------------------------------------------------------------------------------------------
// Load

interface Load {
  readonly responses: number;
  /** 2xx/3xx answers: the redirects that must each be a stored click. */
  readonly served: number;
  readonly otherStatus: number;
  readonly socketErrors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function runGenerator(command: string, commandArgs: string[], timeoutMs: number): Promise<string> {
  const [cmd, cmdArgs] = pinned(command, commandArgs);
  const child = track(spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => void stopChild(child, 2_000), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(`${command} exited ${code ?? signal}: ${stderr.slice(-2000)}${stdout.slice(-2000)}`),
        );
    });
  });
}

async function loadOne(url: string, connections: number, seconds: number): Promise<Load> {
  const timeoutMs = (seconds + 60) * 1000;
  if (GENERATOR === 'wrk') {
    const headerArgs = Object.entries(REQUEST_HEADERS).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const out = await runGenerator(
      'wrk',
      ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', WRK_SCRIPT, ...headerArgs, url],
      timeoutMs,
    );
    const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
    if (!line) throw new Error(`wrk printed no BENCH_JSON line:\n${out}`);
    const r = JSON.parse(line.slice('BENCH_JSON '.length)) as Record<string, number>;
    const n = (key: string) => r[key] ?? 0;
    const durationS = n('duration_us') / 1e6;
    return {
      responses: n('requests'),
      served: n('requests') - n('status_errors'),
      otherStatus: n('status_errors'),
      socketErrors: n('connect_errors') + n('read_errors') + n('write_errors') + n('timeouts'),
      seconds: durationS,
      rps: n('requests') / durationS,
      p50Ms: n('p50_us') / 1000,
      p99Ms: n('p99_us') / 1000,
    };
  }
  const headerArgs = Object.entries(REQUEST_HEADERS).flatMap(([k, v]) => ['-H', `${k}:${v}`]);
  const out = await runGenerator(
    process.execPath,
    [AUTOCANNON_BIN, '-c', String(connections), '-d', String(seconds), '-t', '10', '-j', ...headerArgs, url],
    timeoutMs,
  );
  const r = JSON.parse(out.slice(out.indexOf('{'))) as {
    duration: number;
    errors: number;
    latency: { p50: number; p99: number };
    '1xx': number;
    '2xx': number;
    '3xx': number;
    '4xx': number;
    '5xx': number;
  };
  const responses = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    responses,
    served: r['2xx'] + r['3xx'],
    otherStatus: r['1xx'] + r['4xx'] + r['5xx'],
    socketErrors: r.errors,
    seconds: r.duration,
    rps: responses / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
  };
}

/**
 * CONNECTIONS spread evenly over the edges, one generator instance per edge, all at once. Rates add
 * up; p50 is the answer-weighted mean of the instances' p50, p99 the worst instance's p99.
 */
async function load(edges: readonly Running[], seconds: number): Promise<Load> {
  const parts = await Promise.all(
    edges.map((edge, i) => {
      const connections = Math.floor(CONNECTIONS / edges.length) + (i < CONNECTIONS % edges.length ? 1 : 0);
      return loadOne(`${edge.edgeUrl}/${ALIAS}`, connections, seconds);
    }),
  );
  const responses = parts.reduce((sum, p) => sum + p.responses, 0);
  return {
    responses,
    served: parts.reduce((sum, p) => sum + p.served, 0),
    otherStatus: parts.reduce((sum, p) => sum + p.otherStatus, 0),
    socketErrors: parts.reduce((sum, p) => sum + p.socketErrors, 0),
    seconds: Math.max(...parts.map((p) => p.seconds)),
    rps: parts.reduce((sum, p) => sum + p.rps, 0),
    p50Ms: parts.reduce((sum, p) => sum + p.p50Ms * p.responses, 0) / Math.max(1, responses),
    p99Ms: Math.max(...parts.map((p) => p.p99Ms)),
  };
}

// ---------------------------------------------------------------------------------------------
// Counting: what the click log holds and what the store holds

interface Counter {
  /** Clicks in the click log (every redirect answered is one, plus those answered as the load stopped). */
  logged(): Promise<number>;
  /** Clicks in the store. */
  stored(): Promise<number>;
  /** Stored clicks with distinct click ids (= stored when nothing was stored twice). */
  distinctStored(): Promise<number>;
  close(): Promise<void>;
}

function sqliteCounter(dataDir: string): Counter {
  const count = (file: string, sql: string) => {
    const db = new Database(path.join(dataDir, file), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(sql).get() as { n: number | null }).n ?? 0;
    } finally {
      db.close();
    }
  };
  return {
    logged: async () => count('clicklog.db', 'SELECT count(*) AS n FROM raw_clicks'),
    stored: async () => count('clickwire.db', 'SELECT count(*) AS n FROM clicks'),
    distinctStored: async () => count('clickwire.db', 'SELECT count(DISTINCT click_id) AS n FROM clicks'),
    close: async () => {},
  };
}

async function scaleOutCounter(databaseUrl: string, stream: string): Promise<Counter> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const nc = await connect({ servers: NATS_URL.split(',') });
  const jsm = await jetstreamManager(nc);
  const count = async (sql: string) => Number((await client.query<{ n: number }>(sql)).rows[0]?.n ?? 0);
  return {
    logged: async () => (await jsm.streams.info(stream)).state.messages,
    stored: () => count('SELECT count(*)::int AS n FROM clicks'),
    distinctStored: () => count('SELECT count(DISTINCT click_id)::int AS n FROM clicks'),
    close: async () => {
      await client.end().catch(() => {});
      await nc.close().catch(() => {});
    },
  };
}

/**
 * Waits until every logged click is stored and the log has stopped growing (in-flight appends
 * landed): returns the counts and when the store reached them, or the last counts at the deadline.
 */
async function drain(
  counter: Counter,
  limitMs: number,
): Promise<{ logged: number; stored: number; storedAt: number; drained: boolean }> {
  const deadline = Date.now() + limitMs;
  let logged = await counter.logged();
  let stored = await counter.stored();
  let storedAt = Date.now();
  let stableLog = 0;
  while (Date.now() < deadline) {
    if (stored >= logged && stableLog >= 2) return { logged, stored, storedAt, drained: true };
    await sleep(100);
    const nextLogged = await counter.logged();
    stableLog = nextLogged === logged ? stableLog + 1 : 0;
    logged = nextLogged;
    const nextStored = await counter.stored();
    if (nextStored !== stored) storedAt = Date.now();
    stored = nextStored;
  }
  return { logged, stored, storedAt, drained: stored >= logged };
}

// ---------------------------------------------------------------------------------------------
// One configuration

interface Result {
  readonly config: Configuration;
  readonly load: Load;
  readonly logged: number;
  readonly stored: number;
  readonly storedAtLoadEnd: number;
  readonly endToEnd: number;
  readonly drained: boolean;
  readonly drainSeconds: number;
  readonly cpuUsPerClick: number | null;
  readonly machineBusyPct: number | null;
  /** Share of both cores used by other people's processes from load start until drained. */
  readonly otherPct: number | null;
  readonly round: number;
  readonly allowance: number;
  readonly ok: boolean;
  readonly checkText: string;
}

async function runConfiguration(config: Configuration, round: number): Promise<Result> {
  console.log(`\n== round ${round}: ${config.label}`);
  const dir = makeTempDir(`clickwire-scale-out-${config.key}-`);
  const started: Running[] = [];
  let counter: Counter | null = null;
  let edges: Running[];
  let streamName = '';
  let consumerReady: () => Promise<boolean> = async () => true;
  try {
    if (config.edges === 0) {
      const all = await startProcess('all', dir, {}, 0);
      started.push(all);
      await waitUntil(
        'clickwire start',
        all,
        async () => (await request(`${all.apiUrl}/readyz`)).status === 200,
      );
      await createLink(all);
      edges = [all];
      counter = sqliteCounter(path.join(dir, 'data'));
    } else {
      const suffix = randomBytes(6).toString('hex');
      const schema = `cw_bench_${suffix}`;
      streamName = `CW_BENCH_${suffix}`;
      await withPg(DATABASE_URL, (client) => client.query(`CREATE SCHEMA ${schema}`));
      undo.set(`schema ${schema}`, () =>
        withPg(DATABASE_URL, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
      );
      undo.set(`stream ${streamName}`, () => dropStream(streamName));
      const url = new URL(DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      const env = {
        CLICKWIRE_DATABASE_URL: url.toString(),
        CLICKWIRE_NATS_URL: NATS_URL,
        CLICKWIRE_NATS_STREAM: streamName,
        CLICKWIRE_NATS_SUBJECT_PREFIX: `cw_bench_${suffix}.clicks`,
      };
      console.log(`  schema ${schema}, stream ${streamName}`);
      const api = await startProcess('api', dir, env, 0);
      started.push(api);
      await waitUntil('api', api, async () => (await request(`${api.apiUrl}/readyz`)).status === 200);
      await createLink(api);
      edges = [];
      for (let i = 0; i < config.edges; i++) edges.push(await startProcess('edge', dir, env, i));
      const processors: Running[] = [];
      for (let i = 0; i < config.processors; i++)
        processors.push(await startProcess('processor', dir, env, i));
      started.push(...edges, ...processors);
      await Promise.all(
        edges.map((edge) =>
          waitUntil('edge', edge, async () => (await request(`${edge.edgeUrl}/healthz`)).status === 200),
        ),
      );
      counter = await scaleOutCounter(url.toString(), streamName);
      // The processors are ready when each has a pull request waiting on the group's consumer.
      consumerReady = () => consumerWaiting(streamName, config.processors);
      const readyBy = Date.now() + 60_000;
      while (!(await consumerReady().catch(() => false))) {
        for (const p of processors) {
          if (hasExited(p.child)) throw new Error(`processor exited:\n${tail(p.logFile)}`);
        }
        if (Date.now() > readyBy) throw new Error('the processors did not join the consumer within 60 s');
        await sleep(200);
      }
    }
    for (const edge of edges) await waitForRedirect(edge);

    if (WARMUP > 0) {
      console.log(`  warm-up: ${WARMUP} s`);
      await load(edges, WARMUP);
    }
    const settled = await drain(counter, DRAIN_LIMIT * 1000);
    if (!settled.drained) throw new Error(`the warm-up did not drain within ${DRAIN_LIMIT} s`);
    const distinctBefore = await counter.distinctStored();

    console.log(`  load: ${SECONDS} s, ${CONNECTIONS} connections over ${edges.length} edge(s)`);
    const processesBefore = processSnapshot();
    const ticksBefore = machineTicks();
    const loadStart = Date.now();
    const result = await load(edges, SECONDS);
    const storedAtLoadEnd = (await counter.stored()) - settled.stored;
    const loadEnd = Date.now();
    const after = await drain(counter, DRAIN_LIMIT * 1000);
    const ticksAfter = machineTicks();
    const processesAfter = processSnapshot();
    const distinctAfter = await counter.distinctStored();

    const logged = after.logged - settled.logged;
    const stored = after.stored - settled.stored;
    const endToEnd = stored / ((Math.max(after.storedAt, loadEnd) - loadStart) / 1000);
    const busySeconds = ticksBefore && ticksAfter ? (ticksAfter.busy - ticksBefore.busy) / CLK_TCK : null;
    const cpuUsPerClick = busySeconds !== null && stored > 0 ? (busySeconds * 1e6) / stored : null;
    const machineBusyPct =
      ticksBefore && ticksAfter
        ? (100 * (ticksAfter.busy - ticksBefore.busy)) / Math.max(1, ticksAfter.total - ticksBefore.total)
        : null;
    const other = otherTicks(processesBefore, processesAfter);
    const otherPct =
      ticksBefore && ticksAfter && processesBefore.size > 0
        ? (100 * other.ticks) / Math.max(1, ticksAfter.total - ticksBefore.total)
        : null;
    if (otherPct !== null && otherPct > 10) console.log(`  other load: ${other.top}`);

    // Every 302 is a logged click; a timed generator stops with up to one request per connection
    // (and per socket error) sent and logged but never answered. Every logged click is stored, once.
    const allowance = CONNECTIONS + result.socketErrors;
    const extra = logged - result.served;
    const duplicates = distinctAfter - distinctBefore !== stored;
    const ok = after.drained && stored === logged && extra >= 0 && extra <= allowance && !duplicates;
    const checkText =
      `${fmt(result.served)} redirects answered 302, ${fmt(logged)} clicks logged, ${fmt(stored)} stored` +
      ` (logged − answered = ${extra}, allowed 0…${allowance}` +
      `${result.otherStatus > 0 ? `; ${result.otherStatus} other answers` : ''}` +
      `${result.socketErrors > 0 ? `; ${result.socketErrors} socket errors` : ''}` +
      `${duplicates ? '; DUPLICATE click ids' : ''}${after.drained ? '' : `; NOT DRAINED within ${DRAIN_LIMIT} s`})` +
      ` — ${ok ? 'ok' : 'MISMATCH'}`;
    console.log(
      `  redirects ${fmt(result.rps)} rps (p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms); ` +
        `end to end ${fmt(endToEnd)} clicks/s; backlog at load end ${fmt(logged - storedAtLoadEnd)}, ` +
        `drained ${((after.storedAt - loadEnd) / 1000).toFixed(1)} s after` +
        (otherPct === null ? '' : `; other load ${otherPct.toFixed(0)}% of the machine`),
    );
    console.log(`  check: ${checkText}`);
    return {
      config,
      load: result,
      logged,
      stored,
      storedAtLoadEnd,
      endToEnd,
      drained: after.drained,
      drainSeconds: Math.max(0, after.storedAt - loadEnd) / 1000,
      cpuUsPerClick,
      machineBusyPct,
      otherPct,
      round,
      allowance,
      ok,
      checkText,
    };
  } catch (error) {
    for (const p of started) {
      if (hasExited(p.child)) console.error(`${p.role} log (${p.logFile}):\n${tail(p.logFile)}`);
    }
    throw error;
  } finally {
    await counter?.close();
    // Edges first (they answer what is in flight), then processors, then the API.
    const order: Role[] = ['edge', 'all', 'processor', 'api'];
    for (const role of order) {
      await Promise.all(started.filter((p) => p.role === role).map((p) => stopChild(p.child)));
    }
    for (const [what, run] of [...undo]) {
      undo.delete(what);
      await run().catch((error: unknown) => console.error(`could not drop ${what}: ${String(error)}`));
    }
    if (streamName) console.log(`  dropped the schema and stream ${streamName}`);
    fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

async function withPg(databaseUrl: string, use: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await use(client);
  } finally {
    await client.end();
  }
}

async function withJsm<T>(
  use: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>,
): Promise<T> {
  const nc = await connect({ servers: NATS_URL.split(','), timeout: 5_000 });
  try {
    return await use(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

async function dropStream(stream: string): Promise<void> {
  await withJsm((jsm) => jsm.streams.delete(stream).catch(() => false));
}

async function consumerWaiting(stream: string, processors: number): Promise<boolean> {
  return withJsm(async (jsm) => (await jsm.consumers.info(stream, 'processor')).num_waiting >= processors);
}

// ---------------------------------------------------------------------------------------------
// Report

function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One configuration over its rounds: medians of each figure. */
interface Summary {
  readonly config: Configuration;
  readonly runs: readonly Result[];
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly endToEnd: number;
  readonly backlog: number;
  readonly drainSeconds: number;
  readonly drainRate: number;
  readonly cpuUsPerClick: number;
  readonly otherPct: number;
  readonly drained: boolean;
}

function summarize(config: Configuration, runs: readonly Result[]): Summary {
  const backlog = (r: Result) => r.logged - r.storedAtLoadEnd;
  return {
    config,
    runs,
    rps: median(runs.map((r) => r.load.rps)),
    p50Ms: median(runs.map((r) => r.load.p50Ms)),
    p99Ms: median(runs.map((r) => r.load.p99Ms)),
    endToEnd: median(runs.map((r) => r.endToEnd)),
    backlog: median(runs.map(backlog)),
    drainSeconds: median(runs.map((r) => r.drainSeconds)),
    drainRate: median(
      runs.map((r) => (backlog(r) > 0 && r.drainSeconds > 0 ? backlog(r) / r.drainSeconds : Number.NaN)),
    ),
    cpuUsPerClick: median(runs.map((r) => r.cpuUsPerClick ?? Number.NaN)),
    otherPct: Math.max(...runs.map((r) => r.otherPct ?? Number.NaN)),
    drained: runs.every((r) => r.drained),
  };
}

function report(results: readonly Result[]): string {
  const summaries = CONFIGURATIONS.map((config) =>
    summarize(
      config,
      results.filter((r) => r.config.key === config.key),
    ),
  ).filter((s) => s.runs.length > 0);
  const base = summaries.find((s) => s.config.key === 'embedded') ?? null;
  const cpus = os.cpus();
  const vs = (n: number, b: number | undefined) => (b === undefined ? '—' : ratio(n, b));
  const rows = summaries.map((s) => [
    s.config.label,
    `${fmt(s.rps)} (${vs(s.rps, base?.rps)})`,
    `${s.p50Ms.toFixed(1)} / ${s.p99Ms.toFixed(1)}`,
    `${fmt(s.endToEnd)}${s.drained ? '' : ' (not drained)'} (${vs(s.endToEnd, base?.endToEnd)})`,
    Number.isNaN(s.drainRate)
      ? 'none'
      : `${fmt(s.backlog)}, ${s.drainSeconds.toFixed(1)} s (${fmt(s.drainRate)}/s)`,
    Number.isNaN(s.cpuUsPerClick) ? '—' : `${fmt(s.cpuUsPerClick)} µs`,
    s.runs.map((r) => `${fmt(r.load.rps)} / ${fmt(r.endToEnd)}`).join('; '),
    Number.isFinite(s.otherPct) ? `${s.otherPct.toFixed(0)}%` : '—',
  ]);
  const maxOther = Math.max(...summaries.map((s) => s.otherPct));
  const lines = [
    '## Scale-out: PostgreSQL + JetStream roles vs embedded (`npm run bench:scale-out`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${CORES} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}; ` +
      `${cliEntry.mode}. Generator: ${GENERATOR_LABEL}, ${CONNECTIONS} connections (split evenly over the edges), ` +
      `${WARMUP} s warm-up, then ${SECONDS} s of load per configuration` +
      `${PINNED ? `, pinned to core ${GENERATOR_CORES}` : ''}; ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} ` +
      `(configurations in reverse order every other round), each figure the median over rounds, ratios ` +
      'ratios of medians. Everything — generator, Clickwire processes, PostgreSQL and nats-server — on ' +
      'this one machine and its 2 cores, loopback only. PostgreSQL: `synchronous_commit = on` (default), ' +
      'default pool size; JetStream: file storage, R1, default `sync_interval`; no dispatcher and no ' +
      'webhook subscriptions. Each PostgreSQL configuration on a fresh schema and stream, dropped afterwards.',
    '',
    '| configuration | redirects/s (vs embedded) | redirect p50 / p99, ms | end-to-end clicks stored/s (vs embedded) | backlog at load end, drained in (drain rate) | machine CPU per stored click | each round: redirects/s / end to end | other load (max) |',
    '|---|---:|---:|---:|---:|---:|---|---:|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    'End to end = clicks stored ÷ time from the load start until the last of them was stored (a backlog ' +
      'left at the end of the load counts against it). The drain rate is what the processors store once ' +
      'the edges are idle. Machine CPU per stored click = busy CPU time of both cores (generator, ' +
      'PostgreSQL and nats-server included) from load start to drained ÷ clicks stored. In the 2 + 2 row ' +
      'the rates of both edges are summed; p50 is their answer-weighted mean, p99 the worse edge. Other ' +
      "load = CPU used meanwhile by user-space processes that are not this bench's, PostgreSQL's or " +
      "nats-server's, as a share of both cores.",
    ...(maxOther > 10
      ? [
          '',
          `Caution: other work on the machine used up to ${maxOther.toFixed(0)}% of it during a measurement; ` +
            'the figures of those rounds are lower than the machine can do.',
        ]
      : []),
    '',
    'Check (stored clicks vs 302 answers; a timed generator stops with up to one request per connection ' +
      'logged but never answered):',
    '',
    ...results.map((r) => `- round ${r.round}, ${r.config.label}: ${r.checkText}`),
    '',
    ...interpretation(summaries, base),
    '',
    'Reproduce (PostgreSQL and NATS with JetStream on 127.0.0.1, see DEVELOPERS.md; `--help` for the options):',
    '',
    '```sh',
    'npm run bench:scale-out',
    '```',
  ];
  return lines.join('\n');
}

function interpretation(summaries: readonly Summary[], base: Summary | null): string[] {
  const one = summaries.find((s) => s.config.key === '1x1');
  const two = summaries.find((s) => s.config.key === '2x2');
  const text: string[] = [
    'Reading it: on one 2-core machine the scaled-out processes do not get more hardware, they share ' +
      'the same two cores with PostgreSQL, nats-server and the generator — so scale-out here is expected ' +
      'to be slower than embedded. What the rows show is the cost of the network hops (every click is a ' +
      'JetStream publish and acknowledgement, then a fetch, a PostgreSQL transaction and an ack, instead ' +
      'of an in-process SQLite append and read) and what a second edge and processor buy when there are ' +
      'no spare cores to run them on. Redirects/s alone flatters a configuration whose processors fall ' +
      'behind (the edges get the cores, the backlog is stored after the load): end to end is the figure ' +
      'that includes storing every click.',
  ];
  const parts: string[] = [];
  if (base && one) {
    parts.push(
      `1 + 1 answers ${ratio(one.rps, base.rps)} of the embedded redirect rate and stores ` +
        `${ratio(one.endToEnd, base.endToEnd)} of its end-to-end rate, at ` +
        `${ratio(one.cpuUsPerClick, base.cpuUsPerClick)} the machine CPU per stored click`,
    );
  }
  if (one && two) {
    parts.push(
      `2 + 2 answers ${ratio(two.rps, one.rps)} the redirects and stores ` +
        `${ratio(two.endToEnd, one.endToEnd)} the end-to-end rate of 1 + 1 on the same two cores` +
        (Number.isNaN(two.drainRate) || Number.isNaN(one.drainRate)
          ? ''
          : `, and its two processors drain a backlog at ${ratio(two.drainRate, one.drainRate)} the rate of one`),
    );
  }
  if (parts.length > 0) text.push('', `In this run ${parts.join('; ')}.`);
  text.push(
    '',
    'On separate hosts each edge and processor would have cores of its own; this bench does not measure that.',
  );
  return text;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const benchStart = Date.now();
  if (NEEDS_SERVICES) await checkServices();
  build();
  const results: Result[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? CONFIGURATIONS : [...CONFIGURATIONS].reverse();
    for (const config of order) results.push(await runConfiguration(config, round));
  }
  const text = report(results);
  console.log(`\n${text}\n`);
  if (!args['skip-docs']) {
    writePerformanceSection('bench:scale-out', text);
    console.log('written to docs/performance.md (bench:scale-out)');
  }
  console.log(`bench:scale-out took ${((Date.now() - benchStart) / 1000).toFixed(0)} s`);
  return results.every((r) => r.ok) ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
