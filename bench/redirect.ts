/**
 * Redirect benchmark: the Clickwire edge with capture on against a bare `node:http` server that
 * answers 302 from a Map, loaded by the same generator with the same settings in the same run.
 *
 *   npm run bench:redirect -- [--seconds 10] [--rounds 3] [--connections 50] [--warmup 3]
 *                             [--generator auto|wrk|autocannon] [--exact-requests 20000]
 *                             [--role edge|all] [--skip-power] [--skip-build] [--skip-docs]
 *                             [--server-cores 0,1] [--generator-cores 1] [--profile DIR] [--probe]
 *                             [--capture-thread true|false] [--strict]
 *
 * - Every server is a child process of its own. The target is about the edge (`--role edge`: the
 *   redirect edge with durable capture; `--role all` measures the whole `clickwire start`, whose
 *   processor and dispatcher threads also want CPU). The generator (and this script) run on core 1;
 *   servers may use both cores (`--server-cores 0,1`): the edge answers on one thread and captures on
 *   a second one beside it, which is how it is meant to run. `--server-cores 0` pins every thread of
 *   a server to one core instead.
 * - Rounds alternate (bare, clickwire, power, bare, …) because the machine drifts; each figure is the
 *   median over rounds, ratios are ratios of medians.
 * - Generator: wrk when installed (a Node generator may saturate before the server does), else autocannon.
 * - Click log check: every served redirect must be a recorded click. A timed run stops with up to one
 *   request per connection sent but unanswered (captured and committed, answer never read), so per
 *   timed phase 0 ≤ rows − served ≤ connections; then an exact phase sends a fixed number of requests
 *   and awaits every answer, where rows must equal served exactly; and after a graceful shutdown the
 *   file must hold every row seen while running. Any failure exits non-zero.
 * - The figures are printed and written to docs/performance.md between the bench:redirect markers.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BARE_SERVER = path.join(ROOT, 'bench', 'bare-redirect-server.mjs');
const WRK_SCRIPT = path.join(ROOT, 'bench', 'wrk-report.lua');
const PROBE = path.join(ROOT, 'bench', 'commit-probe.mjs');
const DOC_FILE = path.join(ROOT, 'docs', 'performance.md');
const DOC_START = '<!-- bench:redirect:start -->';
const DOC_END = '<!-- bench:redirect:end -->';
const API_KEY = 'cw_bench_0123456789abcdef0123456789abcdef';
const ALIAS = 'bench';
const DESTINATION = 'https://example.com/landing';
/** What a browser following a link sends; both servers get exactly these. */
const REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'User-Agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Language': 'en-US,en;q=0.9',
  Referer: 'https://news.example.org/article',
};
const TARGET_RPS_RATIO = 0.9;
const TARGET_P99_RATIO = 2;

// ---------------------------------------------------------------------------------------------
// Options

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    generator: { type: 'string', default: 'auto' },
    'exact-requests': { type: 'string', default: '20000' },
    'skip-power': { type: 'boolean', default: false },
    'skip-build': { type: 'boolean', default: false },
    'skip-docs': { type: 'boolean', default: false },
    profile: { type: 'string' },
    role: { type: 'string', default: 'edge' },
    'server-cores': { type: 'string', default: '0,1' },
    'generator-cores': { type: 'string', default: '1' },
    probe: { type: 'boolean', default: false },
    'capture-thread': { type: 'string', default: 'true' },
    strict: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}

function positiveInt(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer in [${min}, ${max}], got ${raw}`);
    process.exit(2);
  }
  return value;
}

const SECONDS = positiveInt('seconds', args.seconds, 1, 600);
const ROUNDS = positiveInt('rounds', args.rounds, 1, 50);
const CONNECTIONS = positiveInt('connections', args.connections, 1, 10_000);
const WARMUP = positiveInt('warmup', args.warmup, 0, 600);
const EXACT_REQUESTS = positiveInt('exact-requests', args['exact-requests'], 0, 10_000_000);
if (args.role !== 'all' && args.role !== 'edge') {
  console.error('--role must be all (the default `clickwire start`) or edge');
  process.exit(2);
}
const ROLE: 'all' | 'edge' = args.role;
if (!['auto', 'wrk', 'autocannon'].includes(args.generator ?? 'auto')) {
  console.error('--generator must be auto, wrk or autocannon');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Child processes and temp dirs: everything started here is tracked and stopped here, by PID.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let cleaningUp: Promise<void> | null = null;

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
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
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.clear();
  })();
  return cleaningUp;
}

// Last resort: whatever way this process ends, no child outlives it.
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
    console.error(`\n${signal}: stopping the servers and the generator…`);
    void cleanup().finally(() => process.exit(130));
  });
}

function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Machine, pinning, generator choice

const CORES = os.cpus().length;
const HAS_TASKSET = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).error === undefined;
const PINNED = HAS_TASKSET && CORES >= 2;
const SERVER_CORES = args['server-cores'] ?? '0';
const GENERATOR_CORES = args['generator-cores'] ?? '1';

/** `0`, `0-3`, `0,2` → the core numbers. */
function cpuList(spec: string): number[] {
  const cores = spec.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    if (!Number.isInteger(from) || (to !== undefined && !Number.isInteger(to))) return [Number.NaN];
    return Array.from({ length: (to ?? from!) - from! + 1 }, (_, i) => from! + i);
  });
  if (cores.length === 0 || cores.some((c) => !Number.isInteger(c) || c < 0 || c >= CORES)) {
    console.error(`core list "${spec}" is not valid on this ${CORES}-core machine`);
    process.exit(2);
  }
  return cores;
}
const SERVER_CORE_LIST = cpuList(SERVER_CORES);
const GENERATOR_CORE_LIST = cpuList(GENERATOR_CORES);

function pinned(cores: string, command: string, commandArgs: string[]): [string, string[]] {
  return PINNED ? ['taskset', ['-c', cores, command, ...commandArgs]] : [command, commandArgs];
}

function wrkVersion(): string | null {
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (probe.error) return null;
  return /wrk\s+(\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? 'unknown';
}

type GeneratorName = 'wrk' | 'autocannon';
const WRK_VERSION = wrkVersion();
const GENERATOR: GeneratorName = (() => {
  if (args.generator === 'wrk') {
    if (WRK_VERSION === null) {
      console.error('--generator wrk: wrk is not installed');
      process.exit(2);
    }
    return 'wrk';
  }
  if (args.generator === 'autocannon') return 'autocannon';
  return WRK_VERSION !== null ? 'wrk' : 'autocannon';
})();
const AUTOCANNON_BIN = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const AUTOCANNON_VERSION = (
  JSON.parse(fs.readFileSync(path.join(path.dirname(AUTOCANNON_BIN), 'package.json'), 'utf8')) as {
    version: string;
  }
).version;
/** One wrk thread per generator core, never more threads than connections. */
const WRK_THREADS = Math.max(1, Math.min(PINNED ? GENERATOR_CORE_LIST.length : 1, CONNECTIONS));
const GENERATOR_LABEL =
  GENERATOR === 'wrk'
    ? `wrk ${WRK_VERSION} (${WRK_THREADS} thread${WRK_THREADS === 1 ? '' : 's'})`
    : `autocannon ${AUTOCANNON_VERSION} (1 ms latency resolution)`;

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
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent, timeout: 10_000 },
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

async function waitUntil(
  what: string,
  child: ChildProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${what}: the process exited (${child.exitCode ?? child.signalCode}) before it was ready`,
      );
    if (await probe().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Build and servers

type ServerKey = 'bare' | 'clickwire' | 'power';

interface Server {
  readonly key: ServerKey;
  readonly label: string;
  readonly url: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Clickwire only: where its click log lives. */
  readonly dataDir: string | null;
  /** Clickwire with --probe only: where bench/commit-probe.mjs writes its figures. */
  readonly probeFile: string | null;
}

let clickwireEntry: { args: string[]; mode: string; dist: string | null } = {
  args: [path.join(ROOT, 'dist', 'src', 'cli.js'), 'start'],
  mode: 'compiled (existing dist/, --skip-build): node dist/src/cli.js start',
  dist: path.join(ROOT, 'dist'),
};

/**
 * `npm run build` into a private copy of the repository layout (package.json, a node_modules link,
 * dist/) under the temp dir, then `node <copy>/dist/src/cli.js start`. Other people rebuilding the
 * shared dist/ during a run can then neither break the servers nor change the code under test, and
 * the bench leaves dist/ alone.
 */
function build(): void {
  if (args['skip-build']) return;
  const dir = makeTempDir('clickwire-bench-build-');
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const dist = path.join(dir, 'dist');
  console.log(`building: npm run build -- --outDir ${dist}`);
  const result = spawnSync('npm', ['run', 'build', '--silent', '--', '--outDir', dist], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status === 0) {
    clickwireEntry = {
      args: [path.join(dist, 'src', 'cli.js'), 'start'],
      mode: 'compiled (`npm run build` into a private outDir, then `node dist/src/cli.js start`)',
      dist,
    };
    return;
  }
  console.warn(
    `npm run build failed (${result.error?.message ?? `exit ${result.status}`}); ` +
      `running Clickwire from source with tsx instead (slower start, same hot path after JIT):\n` +
      `${result.stdout}${result.stderr}`.split('\n').slice(0, 20).join('\n'),
  );
  clickwireEntry = {
    args: ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), 'start'],
    mode: 'from source (`node --import tsx src/cli.ts start`) because `npm run build` failed',
    dist: null,
  };
}

function spawnServer(
  name: string,
  nodeArgs: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const [command, commandArgs] = pinned(SERVER_CORES, process.execPath, nodeArgs);
  const child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.on('error', (error) => console.error(`${name}: ${error.message}`));
  return track(child);
}

async function startBare(): Promise<Server> {
  const dir = makeTempDir('clickwire-bench-bare-');
  const logFile = path.join(dir, 'server.log');
  const port = await freePort();
  const child = spawnServer('bare', [BARE_SERVER, String(port)], process.env, logFile);
  const url = `http://127.0.0.1:${port}/${ALIAS}`;
  await waitUntil('bare server', child, async () => (await request(url)).status === 302, 30_000);
  return {
    key: 'bare',
    label: 'bare node:http, 302 from a Map',
    url,
    child,
    logFile,
    dataDir: null,
    probeFile: null,
  };
}

async function startClickwire(key: 'clickwire' | 'power'): Promise<Server> {
  const dir = makeTempDir(`clickwire-bench-${key}-`);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const [edgePort, apiPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('CLICKWIRE_')) env[name] = value;
  Object.assign(env, {
    CLICKWIRE_HOST: '127.0.0.1',
    CLICKWIRE_DATA_DIR: dataDir,
    CLICKWIRE_EDGE_PORT: String(edgePort),
    CLICKWIRE_API_PORT: String(apiPort),
    CLICKWIRE_BOOTSTRAP_API_KEY: API_KEY,
    CLICKWIRE_LOG_LEVEL: 'warn',
    CLICKWIRE_CAPTURE_DURABILITY: key === 'power' ? 'power' : 'process',
    CLICKWIRE_CAPTURE_THREAD: args['capture-thread'],
  });
  const probeFile = args.probe ? path.join(dir, 'probe.jsonl') : null;
  if (probeFile) {
    if (clickwireEntry.dist === null) throw new Error('--probe needs the compiled build');
    env.CLICKWIRE_BENCH_PROBE_FILE = probeFile;
    env.CLICKWIRE_BENCH_DIST = pathToFileURL(`${clickwireEntry.dist}/src/`).href;
  }
  const profileArgs = [
    ...(args.profile && key === 'clickwire'
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`]
      : []),
    ...(probeFile ? ['--import', pathToFileURL(PROBE).href] : []),
  ];
  const api = `http://127.0.0.1:${apiPort}`;
  const edge = `http://127.0.0.1:${edgePort}`;
  // With --role edge the link is made by a short-lived API process on the same data dir first.
  const setup =
    ROLE === 'all'
      ? spawnServer(key, [...profileArgs, ...clickwireEntry.args], env, logFile)
      : spawnServer(`${key} api`, [...clickwireEntry.args, '--role', 'api'], env, logFile);
  let child = setup;
  try {
    await waitUntil(
      `clickwire (${key})`,
      setup,
      async () => (await request(`${api}/healthz`)).status === 200,
      60_000,
    );
    const created = await request(`${api}/v1/links`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ destination_url: DESTINATION, alias: ALIAS }),
    });
    if (created.status !== 201 && created.status !== 200)
      throw new Error(`POST /v1/links answered ${created.status}: ${created.body}`);
    if (ROLE === 'edge') {
      await stopChild(setup, 20_000);
      child = spawnServer(key, [...profileArgs, ...clickwireEntry.args, '--role', 'edge'], env, logFile);
      await waitUntil(
        `clickwire edge (${key})`,
        child,
        async () => (await request(`${edge}/healthz`)).status === 200,
        60_000,
      );
    }
  } catch (error) {
    console.error(`clickwire (${key}) log:\n${tail(logFile)}`);
    throw error;
  }
  const what =
    ROLE === 'all'
      ? 'Clickwire `start` (all roles in one process)'
      : 'Clickwire `start --role edge` (edge alone)';
  const label =
    key === 'power'
      ? `${what}, capture durability=power (fsync per group commit)`
      : `${what}, capture on (default durability=process)`;
  return { key, label, url: `${edge}/${ALIAS}`, child, logFile, dataDir, probeFile };
}

/** Both servers must answer the same thing, or the comparison is not like for like. */
async function checkSameAnswer(servers: readonly Server[]): Promise<void> {
  const shape = (r: SimpleResponse) =>
    JSON.stringify({
      status: r.status,
      location: r.headers.location,
      cacheControl: r.headers['cache-control'],
      contentLength: r.headers['content-length'],
      body: r.body,
    });
  const answers = await Promise.all(
    servers.map(async (s) => shape(await request(s.url, { headers: { ...REQUEST_HEADERS } }))),
  );
  for (const [i, answer] of answers.entries()) {
    if (answer !== answers[0])
      throw new Error(`${servers[i]!.key} answers ${answer}, but ${servers[0]!.key} answers ${answers[0]}`);
  }
  console.log(`both answer ${answers[0]}`);
}

// ---------------------------------------------------------------------------------------------
// Click log counting

function countRows(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'clicklog.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM raw_clicks').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The count once in-flight commits have landed: unchanged over three polls 100 ms apart. */
async function settledCount(dataDir: string): Promise<number> {
  let last = countRows(dataDir);
  let stable = 0;
  const deadline = Date.now() + 10_000;
  while (stable < 3 && Date.now() < deadline) {
    await sleep(100);
    const now = countRows(dataDir);
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

// ---------------------------------------------------------------------------------------------
// Load generation

interface LoadResult {
  readonly responses: number;
  /** 2xx/3xx answers: for Clickwire, the redirects that must each be a recorded click. */
  readonly served: number;
  readonly otherStatus: number;
  readonly socketErrors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface RoundResult extends LoadResult {
  /** Server process CPU time (all threads) per response; robust to machine drift, unlike rps. */
  readonly cpuUsPerRequest: number | null;
  /** The same for the main thread alone: the event loop that parses requests and answers them. */
  readonly mainCpuUsPerRequest: number | null;
  /** Share of the server's core used by processes other than the server during the phase. */
  readonly foreignPct: number | null;
  /** How long the server kept working after the load stopped (e.g. the processor catching up), s. */
  readonly busyAfterS: number | null;
  readonly probe: ProbeWindow | null;
}

interface Distribution {
  count: number;
  sum: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** One line of bench/commit-probe.mjs output: the figures of one window between two SIGUSR2. */
interface ProbeWindow {
  wallMs: number;
  batch: Distribution;
  commitMs: Distribution;
  processorMs: Distribution;
  processorEntries: number;
  loopDelayMs: { p50: number; p99: number; max: number };
}

/** Asks the probe for the figures since its last mark; null without --probe. */
async function probeMark(server: Server): Promise<ProbeWindow | null> {
  if (!server.probeFile || server.child.pid === undefined) return null;
  const lines = () => (fs.existsSync(server.probeFile!) ? fs.readFileSync(server.probeFile!, 'utf8') : '');
  const before = lines().length;
  process.kill(server.child.pid, 'SIGUSR2');
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const text = lines();
    if (text.length > before) return JSON.parse(text.slice(before).trim().split('\n').at(-1)!) as ProbeWindow;
    await sleep(20);
  }
  return null;
}

function formatProbe(p: ProbeWindow): string {
  const share = (ms: number) => `${((100 * ms) / p.wallMs).toFixed(0)}%`;
  const processor =
    p.processorMs.count === 0
      ? 'no processor work on the event loop'
      : `processor ${p.processorMs.count} batches / ${p.processorEntries} clicks, ` +
        `${p.processorMs.mean.toFixed(1)} ms mean, ${p.processorMs.max.toFixed(1)} ms max (${share(p.processorMs.sum)} of wall)`;
  return (
    `group commit: ${p.batch.count} commits, ${p.batch.mean.toFixed(1)} clicks mean (p50 ${p.batch.p50}, p99 ${p.batch.p99}, max ${p.batch.max}), ` +
    `${(p.commitMs.mean * 1000).toFixed(0)} µs mean, p99 ${p.commitMs.p99.toFixed(2)} ms, max ${p.commitMs.max.toFixed(1)} ms ` +
    `(${share(p.commitMs.sum)} of wall, ${((p.commitMs.sum * 1000) / Math.max(1, p.batch.sum)).toFixed(1)} µs/click); ` +
    `${processor}; event-loop delay p99 ${p.loopDelayMs.p99.toFixed(1)} ms, max ${p.loopDelayMs.max.toFixed(1)} ms`
  );
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * CPU time of a process, all its threads, in nanoseconds: the sum of the threads' scheduler run
 * times (`/proc/PID/task/TID/schedstat`, exact), else utime + stime (clock-tick resolution);
 * null where /proc is absent.
 */
function processCpuNs(pid: number | undefined): number | null {
  return processCpu(pid)?.total ?? null;
}

/** CPU of the whole process and of its main thread (the thread whose id is the process id), ns. */
function processCpu(pid: number | undefined): { total: number; main: number | null } | null {
  if (pid === undefined) return null;
  try {
    let ns = 0;
    let main: number | null = null;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const run = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        ns += run;
        if (tid === String(pid)) main = run;
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    if (ns > 0) return { total: ns, main };
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { total: ((Number(fields[11]) + Number(fields[12])) * 1e9) / CLK_TCK, main: null };
  } catch {
    return null;
  }
}

/** Busy and total ticks of the cores the servers are pinned to (total: summed over those cores). */
function serverCoreTicks(): { busy: number; total: number } | null {
  try {
    const lines = fs.readFileSync('/proc/stat', 'utf8').split('\n');
    let busy = 0;
    let total = 0;
    for (const core of SERVER_CORE_LIST) {
      const line = lines.find((l) => l.startsWith(`cpu${core} `));
      if (!line) return null;
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line
        .split(/\s+/)
        .slice(1, 9)
        .map(Number);
      const coreBusy = user! + nice! + system! + irq! + softirq! + steal!;
      busy += coreBusy;
      total += coreBusy + idle! + iowait!;
    }
    return { busy, total };
  } catch {
    return null;
  }
}

function runGenerator(command: string, commandArgs: string[], timeoutMs: number): Promise<string> {
  const [cmd, cmdArgs] = pinned(GENERATOR_CORES, command, commandArgs);
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

async function load(url: string, seconds: number): Promise<LoadResult> {
  const timeoutMs = (seconds + 60) * 1000;
  if (GENERATOR === 'wrk') {
    const headerArgs = Object.entries(REQUEST_HEADERS).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const out = await runGenerator(
      'wrk',
      [
        `-t${WRK_THREADS}`,
        `-c${CONNECTIONS}`,
        `-d${seconds}s`,
        '--timeout',
        '10s',
        '-s',
        WRK_SCRIPT,
        ...headerArgs,
        url,
      ],
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
    [AUTOCANNON_BIN, '-c', String(CONNECTIONS), '-d', String(seconds), '-t', '10', '-j', ...headerArgs, url],
    timeoutMs,
  );
  const r = JSON.parse(out.slice(out.indexOf('{'))) as {
    duration: number;
    errors: number;
    timeouts: number;
    requests: { total: number };
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

/** A fixed number of requests over CONNECTIONS keep-alive connections, every answer awaited. */
async function exactLoad(url: string, total: number): Promise<{ served: number; other: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let issued = 0;
  let served = 0;
  let other = 0;
  const worker = async () => {
    while (issued < total) {
      issued++;
      const { status } = await request(url, { headers: { ...REQUEST_HEADERS }, agent });
      if (status >= 200 && status < 400) served++;
      else other++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONNECTIONS, total) }, worker));
  } finally {
    agent.destroy();
  }
  return { served, other };
}

// ---------------------------------------------------------------------------------------------
// Phases and checks

interface Check {
  readonly ok: boolean;
  readonly text: string;
}

const checks: Check[] = [];
/** Things worth reporting that are not click-log failures (errors the server logged). */
const warnings: string[] = [];
const observedRows = new Map<ServerKey, number>();

function check(ok: boolean, text: string): void {
  checks.push({ ok, text });
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${text}`);
}

function formatLoad(r: RoundResult): string {
  const errors =
    r.otherStatus + r.socketErrors > 0
      ? `  (${r.otherStatus} non-2xx/3xx, ${r.socketErrors} socket errors)`
      : '';
  const cpu =
    r.cpuUsPerRequest === null
      ? ''
      : `  server CPU ${r.cpuUsPerRequest.toFixed(1)} µs/req` +
        (r.mainCpuUsPerRequest === null ? '' : ` (main thread ${r.mainCpuUsPerRequest.toFixed(1)})`);
  const foreign =
    r.foreignPct === null ? '' : `  other load on core ${SERVER_CORES} ${r.foreignPct.toFixed(0)}%`;
  const busy = r.busyAfterS !== null && r.busyAfterS > 0 ? `  busy ${r.busyAfterS.toFixed(1)} s after` : '';
  return `${Math.round(r.rps).toLocaleString('en-US').padStart(8)} rps  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2).padStart(6)} ms${cpu}${foreign}${busy}${errors}`;
}

const runningServers: Server[] = [];
/** A server using at most this share of a core over a 500 ms window counts as idle. */
/** A server counts as idle when it uses at most its idle baseline plus this share of a core. */
const QUIET_MARGIN = 0.03;
const QUIET_WINDOW_MS = 500;
const QUIET_MAX_MS = 120_000;
/** What each server uses with no load at all (timers, an idle processor polling the log), share of a core. */
const idleShare = new Map<ServerKey, number>();

async function cpuShares(windowMs: number): Promise<(number | null)[]> {
  const before = runningServers.map((s) => processCpuNs(s.child.pid));
  const started = process.hrtime.bigint();
  await sleep(windowMs);
  const after = runningServers.map((s) => processCpuNs(s.child.pid));
  const wallNs = Number(process.hrtime.bigint() - started);
  return runningServers.map((_, i) => {
    const [b, a] = [before[i], after[i]];
    return b === null || b === undefined || a === null || a === undefined ? null : (a - b) / wallNs;
  });
}

/** Measures each server's idle CPU share once it has settled after start-up: the median of 8 windows. */
async function calibrateIdle(): Promise<void> {
  await sleep(1_000);
  const windows: (number | null)[][] = [];
  for (let i = 0; i < 8; i++) windows.push(await cpuShares(QUIET_WINDOW_MS));
  for (const [i, server] of runningServers.entries()) {
    const shares = windows.map((w) => w[i]).filter((v): v is number => v !== null && v !== undefined);
    if (shares.length > 0) idleShare.set(server.key, median(shares));
  }
  console.log(
    `idle CPU of each server (share of a core): ${[...idleShare].map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`).join(', ')}`,
  );
}

/**
 * Waits until every running server is back to its idle CPU, so no server's leftover work (a
 * processor catching up on the click log, a WAL checkpoint) runs on the shared core during another
 * server's round. Returns, per server, the seconds until its last busy window ended; null without /proc.
 */
async function waitQuiet(): Promise<Map<ServerKey, number> | null> {
  const started = Date.now();
  const busyUntil = new Map<ServerKey, number>(runningServers.map((s) => [s.key, 0]));
  while (Date.now() - started < QUIET_MAX_MS) {
    const shares = await cpuShares(QUIET_WINDOW_MS);
    if (shares.some((v) => v === null)) return null;
    let anyBusy = false;
    for (const [i, server] of runningServers.entries()) {
      if ((shares[i] ?? 0) > (idleShare.get(server.key) ?? 0) + QUIET_MARGIN) {
        anyBusy = true;
        busyUntil.set(server.key, (Date.now() - started) / 1000);
      }
    }
    if (!anyBusy) return busyUntil;
  }
  console.warn(`  servers still busy after ${QUIET_MAX_MS / 1000} s; going on`);
  return busyUntil;
}

/** One timed phase against one server; for Clickwire, also the row-count check of that phase. */
async function timedPhase(server: Server, seconds: number, name: string): Promise<RoundResult> {
  const before = server.dataDir ? await settledCount(server.dataDir) : 0;
  const cpuBeforeAll = processCpu(server.child.pid);
  const cpuBefore = cpuBeforeAll?.total ?? null;
  const coreBefore = serverCoreTicks();
  await probeMark(server);
  const loaded = await load(server.url, seconds);
  const cpuAfterAll = processCpu(server.child.pid);
  const cpuAfter = cpuAfterAll?.total ?? null;
  const coreAfter = serverCoreTicks();
  const probe = await probeMark(server);
  let cpuUsPerRequest: number | null = null;
  let foreignPct: number | null = null;
  if (cpuBefore !== null && cpuAfter !== null && loaded.responses > 0)
    cpuUsPerRequest = (cpuAfter - cpuBefore) / 1e3 / loaded.responses;
  let mainCpuUsPerRequest: number | null = null;
  const [mainBefore, mainAfter] = [cpuBeforeAll?.main ?? null, cpuAfterAll?.main ?? null];
  if (mainBefore !== null && mainAfter !== null && loaded.responses > 0)
    mainCpuUsPerRequest = (mainAfter - mainBefore) / 1e3 / loaded.responses;
  if (PINNED && cpuBefore !== null && cpuAfter !== null && coreBefore !== null && coreAfter !== null) {
    const elapsed = coreAfter.total - coreBefore.total;
    const foreign = coreAfter.busy - coreBefore.busy - ((cpuAfter - cpuBefore) * CLK_TCK) / 1e9;
    if (elapsed > 0) foreignPct = Math.max(0, (100 * foreign) / elapsed);
  }
  const rowsAfter = server.dataDir ? await settledCount(server.dataDir) : 0;
  const quiet = await waitQuiet();
  const busyAfterS = quiet?.get(server.key) ?? null;
  const othersBusy = quiet ? [...quiet].filter(([key, t]) => key !== server.key && t > 0.5) : [];
  if (othersBusy.length > 0)
    console.log(
      `  (waited for ${othersBusy.map(([k, t]) => `${k} ${t.toFixed(1)} s`).join(', ')} to go idle)`,
    );
  const result: RoundResult = {
    ...loaded,
    cpuUsPerRequest,
    mainCpuUsPerRequest,
    foreignPct,
    busyAfterS,
    probe,
  };
  console.log(`${name.padEnd(14)} ${server.key.padEnd(9)} ${formatLoad(result)}`);
  if (probe) console.log(`${''.padEnd(25)}${formatProbe(probe)}`);
  if (server.dataDir) {
    const after = rowsAfter;
    observedRows.set(server.key, after);
    const rows = after - before;
    const unanswered = rows - result.served;
    check(
      unanswered >= 0 && unanswered <= CONNECTIONS,
      `${server.key}: ${rows} rows for ${result.served} redirects served; ${unanswered} captured but cut off ` +
        `unanswered when the generator stopped (allowed 0…${CONNECTIONS})`,
    );
  }
  return result;
}

async function exactPhase(server: Server): Promise<void> {
  if (!server.dataDir || EXACT_REQUESTS === 0) return;
  const before = await settledCount(server.dataDir);
  const { served, other } = await exactLoad(server.url, EXACT_REQUESTS);
  const after = await settledCount(server.dataDir);
  observedRows.set(server.key, after);
  check(
    after - before === served && served === EXACT_REQUESTS && other === 0,
    `${server.key}: exact run of ${EXACT_REQUESTS} requests, every answer awaited: ${served} redirects served, ` +
      `${other} other answers, ${after - before} rows added`,
  );
}

async function shutdownCheck(server: Server): Promise<void> {
  if (!server.dataDir) return;
  await stopChild(server.child, 20_000);
  const expected = observedRows.get(server.key) ?? 0;
  const rows = countRows(server.dataDir);
  check(
    rows === expected && server.child.exitCode === 0,
    `${server.key}: after graceful shutdown (exit ${server.child.exitCode ?? server.child.signalCode}) ` +
      `clicklog.db holds ${rows} rows; ${expected} were counted while it ran`,
  );
  const errorLines = fs
    .readFileSync(server.logFile, 'utf8')
    .split('\n')
    .filter((l) => (l.startsWith('{') ? /"level":(50|60)\b/.test(l) : /error/i.test(l)));
  if (errorLines.length === 0) return;
  // Not a click-log failure, but worth seeing: grouped by thread and message.
  const kinds = new Map<string, number>();
  for (const line of errorLines) {
    let kind = line.slice(0, 160);
    try {
      const entry = JSON.parse(line) as { thread?: string; msg?: string; err?: { message?: string } };
      kind = [entry.thread, entry.msg, entry.err?.message].filter(Boolean).join(': ');
    } catch {}
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const text =
    `${server.key}: ${errorLines.length} error lines in the server log — ` +
    [...kinds].map(([kind, n]) => `${n}× ${kind}`).join('; ');
  warnings.push(text);
  console.log(`  warn ${text}`);
}

// ---------------------------------------------------------------------------------------------
// Report

interface Summary {
  readonly server: Server;
  readonly rounds: readonly RoundResult[];
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest: number | null;
  readonly mainCpuUsPerRequest: number | null;
  readonly foreignPct: number | null;
  readonly busyAfterS: number | null;
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === values.length && known.length > 0 ? median(known) : null;
}

function summarize(server: Server, rounds: readonly RoundResult[]): Summary {
  return {
    server,
    rounds,
    rps: median(rounds.map((r) => r.rps)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuUsPerRequest: medianOrNull(rounds.map((r) => r.cpuUsPerRequest)),
    mainCpuUsPerRequest: medianOrNull(rounds.map((r) => r.mainCpuUsPerRequest)),
    foreignPct: medianOrNull(rounds.map((r) => r.foreignPct)),
    busyAfterS: medianOrNull(rounds.map((r) => r.busyAfterS)),
  };
}

const fmt = (v: number | null, digits = 1) => (v === null ? 'n/a' : v.toFixed(digits));

function reproduceCommand(): string {
  const extra = process.argv.slice(2).filter((a) => a !== '--skip-docs');
  return `npm run bench:redirect${extra.length > 0 ? ` -- ${extra.join(' ')}` : ''}`;
}

function machineLine(): string {
  return (
    `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${CORES} cores, ${os.platform()} ${os.release()}, ` +
    `Node ${process.version}`
  );
}

function pinningLine(): string {
  if (PINNED)
    return `Servers pinned to core ${SERVER_CORES} (\`taskset -c ${SERVER_CORES}\`, every thread of the server process), generator to core ${GENERATOR_CORES} (\`taskset -c ${GENERATOR_CORES}\`)`;
  return HAS_TASKSET ? 'Not pinned (fewer than 2 cores)' : 'Not pinned (no taskset)';
}

/** Says so when a server's rounds disagree so much that its median is mostly the machine's noise. */
function noiseNotes(summaries: readonly Summary[]): string[] {
  const notes: string[] = [];
  for (const s of summaries) {
    const p99s = s.rounds.map((r) => r.p99Ms);
    const rpss = s.rounds.map((r) => r.rps);
    const foreign = s.rounds.map((r) => r.foreignPct).filter((v): v is number => v !== null);
    const load =
      foreign.length > 0
        ? ` (other load on core ${SERVER_CORES}: ${Math.round(Math.min(...foreign))}–${Math.round(Math.max(...foreign))}%)`
        : '';
    if (Math.max(...p99s) > 3 * Math.min(...p99s))
      notes.push(
        `Caution: ${s.server.key}'s p99 ranges ${Math.min(...p99s).toFixed(1)}–${Math.max(...p99s).toFixed(1)} ms over the rounds${load}; ` +
          'its p99 ratio from this run is not a stable figure.',
      );
    if (Math.max(...rpss) > 1.5 * Math.min(...rpss))
      notes.push(
        `Caution: ${s.server.key}'s rps ranges ${Math.round(Math.min(...rpss)).toLocaleString('en-US')}–${Math.round(Math.max(...rpss)).toLocaleString('en-US')} over the rounds${load}.`,
      );
  }
  return notes.flatMap((n) => [n, '']);
}

function markdown(summaries: readonly Summary[], targetLine: string, checkLines: readonly string[]): string {
  const bare = summaries.find((s) => s.server.key === 'bare')!;
  const rows = summaries.map((s) => {
    const ratioRps = s === bare ? '1.00×' : `**${(s.rps / bare.rps).toFixed(2)}×**`;
    const ratioP99 = s === bare ? '1.00×' : `**${(s.p99Ms / bare.p99Ms).toFixed(2)}×**`;
    const perRound = s.rounds
      .map((r) => `${Math.round(r.rps).toLocaleString('en-US')} / ${r.p99Ms.toFixed(1)}`)
      .join('; ');
    return `| ${s.server.label} | ${Math.round(s.rps).toLocaleString('en-US')} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${ratioRps} | ${ratioP99} | ${fmt(s.cpuUsPerRequest)} | ${fmt(s.mainCpuUsPerRequest)} | ${fmt(s.foreignPct, 0)} | ${fmt(s.busyAfterS)} | ${perRound} |`;
  });
  return [
    DOC_START,
    '## Redirect edge vs bare `node:http` (`npm run bench:redirect`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machineLine()}.`,
    `Generator: ${GENERATOR_LABEL}, ${CONNECTIONS} connections, keep-alive, \`GET /${ALIAS}\` with browser-like headers ` +
      `(User-Agent, Accept, Accept-Language, Referer). ${pinningLine()}. ` +
      `${ROUNDS} alternating rounds of ${SECONDS} s per server after a ${WARMUP} s warm-up; each figure is the ` +
      `median over rounds, ratios are ratios of medians. Clickwire ran ${clickwireEntry.mode}, fresh data dir, log level warn.`,
    '',
    `| server | rps | p50 ms | p99 ms | rps vs bare | p99 vs bare | server CPU µs/req | of which main thread | other load on core ${SERVER_CORES} % | busy after round, s | each round: rps / p99 ms |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    "*Server CPU µs/req* is the server process's CPU time (all threads, from `/proc`) divided by the " +
      'responses in the round: what one redirect costs, independent of how much of the core the server got; ' +
      '*of which main thread* is the event loop that parses requests and answers them (the rest is worker ' +
      'and other threads: processor, dispatcher, WAL checkpointer, libuv). ' +
      `*Other load* is the share of core ${SERVER_CORES} used by processes other than the server under test ` +
      '(other work on this shared machine); rounds with high other load give lower rps and higher p99 for ' +
      'reasons that have nothing to do with the server. *Busy after round* is how long the server kept ' +
      'working once the load stopped (for Clickwire: the processor catching up on the click log); the next ' +
      'round starts only when every server is idle, so that work is not charged to another server.',
    '',
    ...noiseNotes(summaries),
    targetLine,
    '',
    'Click log check (every served redirect is a recorded click):',
    '',
    ...checkLines.map((l) => `- ${l}`),
    '',
    'Reproduce (add `--role edge` to measure the edge alone, without the processor and dispatcher threads; ' +
      '`--probe` to see group-commit batch sizes and event-loop delay per round; `--help` for the rest):',
    '',
    '```sh',
    reproduceCommand(),
    '```',
    DOC_END,
  ].join('\n');
}

function writeDoc(section: string): void {
  fs.mkdirSync(path.dirname(DOC_FILE), { recursive: true });
  let text = fs.existsSync(DOC_FILE) ? fs.readFileSync(DOC_FILE, 'utf8') : '# Performance\n';
  const start = text.indexOf(DOC_START);
  const end = text.indexOf(DOC_END);
  if (start !== -1 && end > start) text = text.slice(0, start) + section + text.slice(end + DOC_END.length);
  else text = `${text.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(DOC_FILE, text);
  console.log(`\nwrote ${path.relative(ROOT, DOC_FILE)} (section ${DOC_START})`);
}

function printProfile(dir: string): void {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  for (const file of files) {
    interface Node {
      id: number;
      callFrame: { functionName: string; url: string; lineNumber: number };
      hitCount?: number;
    }
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      nodes: Node[];
      samples: number[];
    };
    const self = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      total += hits;
      const url = node.callFrame.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
      const key = `${node.callFrame.functionName || '(anonymous)'}  ${url}:${node.callFrame.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + hits);
    }
    console.log(`\nCPU profile ${path.join(dir, file)}: top self time (${total} samples)`);
    for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
      console.log(`  ${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const keys: ServerKey[] = args['skip-power'] ? ['bare', 'clickwire'] : ['bare', 'clickwire', 'power'];
  const phases = keys.length * (ROUNDS + (WARMUP > 0 ? 1 : 0));
  const budgetMs =
    300_000 +
    keys.length * 90_000 +
    phases * (Math.max(SECONDS, WARMUP) + 45 + QUIET_MAX_MS / 1000) * 1000 +
    120_000;
  const watchdog = setTimeout(() => {
    console.error(`bench exceeded its time budget of ${Math.round(budgetMs / 1000)} s; stopping`);
    void cleanup().finally(() => process.exit(1));
  }, budgetMs);
  watchdog.unref();

  if (PINNED) spawnSync('taskset', ['-a', '-cp', GENERATOR_CORES, String(process.pid)], { stdio: 'ignore' });
  console.log(`machine:   ${machineLine()}`);
  console.log(
    `generator: ${GENERATOR_LABEL}${GENERATOR === 'autocannon' ? (WRK_VERSION === null ? ' — wrk not found' : ' — chosen with --generator') : ''}`,
  );
  console.log(`pinning:   ${pinningLine().replace(/`/g, '')}`);
  console.log(
    `settings:  ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s, warm-up ${WARMUP} s, exact check ${EXACT_REQUESTS} requests`,
  );
  build();
  console.log(`clickwire: ${clickwireEntry.mode}`);

  const servers: Server[] = [];
  for (const key of keys) {
    servers.push(key === 'bare' ? await startBare() : await startClickwire(key));
    console.log(`started ${key} (pid ${servers.at(-1)!.child.pid}) at ${servers.at(-1)!.url}`);
  }
  runningServers.push(...servers);
  await checkSameAnswer(servers);
  await calibrateIdle();

  if (WARMUP > 0) for (const server of servers) await timedPhase(server, WARMUP, 'warm-up');
  const results = new Map<ServerKey, RoundResult[]>(keys.map((k) => [k, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of servers) {
      results.get(server.key)!.push(await timedPhase(server, SECONDS, `round ${round}/${ROUNDS}`));
      await sleep(500);
    }
  }
  for (const server of servers) await exactPhase(server);
  for (const server of servers) await shutdownCheck(server);

  const summaries = servers.map((s) => summarize(s, results.get(s.key)!));
  const bare = summaries[0]!;
  const clickwire = summaries.find((s) => s.server.key === 'clickwire')!;
  const rpsRatio = clickwire.rps / bare.rps;
  const p99Ratio = clickwire.p99Ms / bare.p99Ms;
  const targetMet = rpsRatio >= TARGET_RPS_RATIO && p99Ratio <= TARGET_P99_RATIO;

  console.log(`\n${GENERATOR_LABEL}, ${CONNECTIONS} connections, median of ${ROUNDS} rounds × ${SECONDS} s`);
  const header = [
    'server',
    'rps',
    'p50 ms',
    'p99 ms',
    'rps×',
    'p99×',
    'CPU µs/req',
    'main thr.',
    `other core${SERVER_CORES}%`,
    'busy after s',
  ];
  const widths = [10, 9, 8, 8, 6, 6, 11, 10, 12, 13];
  const line = (cells: string[], perRound: string) =>
    `${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ')}   ${perRound}`;
  console.log(line(header, 'rps per round'));
  for (const s of summaries) {
    const cells = [
      s.server.key,
      Math.round(s.rps).toLocaleString('en-US'),
      s.p50Ms.toFixed(2),
      s.p99Ms.toFixed(2),
      (s.rps / bare.rps).toFixed(2),
      (s.p99Ms / bare.p99Ms).toFixed(2),
      fmt(s.cpuUsPerRequest),
      fmt(s.mainCpuUsPerRequest),
      fmt(s.foreignPct, 0),
      fmt(s.busyAfterS),
    ];
    console.log(line(cells, s.rounds.map((r) => Math.round(r.rps)).join(' / ')));
  }
  const targetLine =
    `Target (Clickwire, default durability): ≥ ${TARGET_RPS_RATIO}× bare rps and p99 ≤ ${TARGET_P99_RATIO}× bare ` +
    `at ${CONNECTIONS} connections — measured ${rpsRatio.toFixed(2)}× rps, ${p99Ratio.toFixed(2)}× p99: ` +
    `**${targetMet ? 'met' : 'not met'}**.`;
  console.log(`\n${targetLine.replace(/\*\*/g, '')}`);
  for (const note of noiseNotes(summaries)) if (note) console.log(note);
  console.log(`machine: ${machineLine()}; ${pinningLine().replace(/`/g, '')}`);

  const failed = checks.filter((c) => !c.ok);
  const checkLines = [
    ...checks
      .filter((c) => c.text.includes('exact run') || c.text.includes('graceful shutdown'))
      .map((c) => c.text),
    `${checks.filter((c) => c.text.includes('cut off')).length} timed phases: every one within 0…${CONNECTIONS} ` +
      'rows more than redirects served (requests cut off by the generator stopping)' +
      (checks.some((c) => c.text.includes('cut off') && !c.ok) ? ' — **NOT** all, see the run output' : ''),
    failed.length === 0 ? 'result: **pass**' : `result: **FAIL** (${failed.length} checks failed)`,
    ...warnings.map((w) => `server log (not a click-log failure): ${w}`),
  ];
  console.log(`\nclick log check: ${failed.length === 0 ? 'PASS' : `FAIL (${failed.length} failed)`}`);
  for (const c of failed) console.log(`  FAIL ${c.text}`);
  for (const w of warnings) console.log(`  warn ${w}`);

  if (args.profile) printProfile(path.resolve(args.profile));
  if (!args['skip-docs']) writeDoc(markdown(summaries, targetLine, checkLines));
  console.log(`\nreproduce: ${reproduceCommand()}`);
  if (failed.length > 0) return 1;
  return args.strict && !targetMet ? 3 : 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  if (!interrupted) console.error('bench failed:', error instanceof Error ? error.message : error);
} finally {
  await cleanup();
}
process.exit(interrupted ? 130 : exitCode);
