/**
 * Pipeline benchmark (issue 3): sustained clicks/s through edge → click log → processor → stored
 * click + event, and capture-to-stored latency, beside the redirect-only figure of the same run.
 *
 *   npm run bench:pipeline -- [--seconds 15] [--connections 50] [--skip-docs]
 *
 * 1. Redirect only: `clickwire start --role edge` (durable capture, no processing) under wrk.
 * 2. Whole pipeline: `clickwire start` (edge, processor and dispatcher threads, API) under the same
 *    load; then the load stops and the processor drains what is left. Figures:
 *    - redirect rps while the pipeline runs;
 *    - end-to-end clicks/s = clicks stored ÷ time from the first request until the last click was stored;
 *    - processor drain rate = clicks stored after the load stopped ÷ time to store them (its backlog speed);
 *    - capture → stored latency p50/p99 = `processed_at − received_at` over every stored click.
 * Generator: wrk (pinned to core 1 when taskset exists); servers may use both cores. Everything on
 * 127.0.0.1, bounded in time; children are stopped by PID, temp dirs removed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEY = 'cw_bench_pipeline_0123456789abcdef0123456789';
const DOC = path.join(ROOT, 'docs', 'performance.md');
const START = '<!-- bench:pipeline:start -->';
const END = '<!-- bench:pipeline:end -->';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
    'skip-docs': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const HAS_TASKSET = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).error === undefined;
if (spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error) {
  console.error('bench:pipeline needs wrk (apt-get install -y wrk)');
  process.exit(2);
}

const children = new Set<ChildProcess>();
const temps = new Set<string>();
async function cleanup(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

interface Server {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly edge: string;
  readonly api: string;
}

let nextPort = 18_400 + Math.floor(Math.random() * 500);

async function startServer(role: 'edge' | 'all', dataDir: string): Promise<Server> {
  const edgePort = nextPort++;
  const apiPort = nextPort++;
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli.js'), 'start', '--role', role], {
    cwd: ROOT,
    env: {
      ...process.env,
      CLICKWIRE_DATA_DIR: dataDir,
      CLICKWIRE_EDGE_PORT: String(edgePort),
      CLICKWIRE_API_PORT: String(apiPort),
      CLICKWIRE_BOOTSTRAP_API_KEY: KEY,
      CLICKWIRE_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  const server = { child, dataDir, edge: `http://127.0.0.1:${edgePort}`, api: `http://127.0.0.1:${apiPort}` };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickwire exited with ${child.exitCode}`);
    try {
      const edgeUp = (await fetch(`${server.edge}/healthz`)).ok;
      if (edgeUp && (role === 'edge' || (await fetch(`${server.api}/readyz`)).ok)) return server;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('clickwire did not start within 60 s');
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode === null) {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await exited;
  }
  children.delete(server.child);
}

async function createLink(dataDir: string): Promise<void> {
  const api = await startServer('all', dataDir);
  const answer = await fetch(`${api.api}/v1/links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ destination_url: 'https://example.com/landing', alias: 'bench' }),
  });
  if (answer.status !== 201) throw new Error(`could not create the link: ${answer.status}`);
  await stopServer(api);
}

interface Load {
  readonly rps: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function wrk(url: string, seconds: number): Promise<Load> {
  const command = [
    'wrk',
    [
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '-s',
      path.join(ROOT, 'bench/wrk-report.lua'),
      '-H',
      'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      '-H',
      'Accept: text/html',
      '-H',
      'Accept-Language: en-US,en;q=0.9',
      url,
    ],
  ] as const;
  const [cmd, cmdArgs] = HAS_TASKSET
    ? ['taskset', ['-c', '1', command[0], ...command[1]]]
    : [command[0], [...command[1]]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs as string[], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', () => {
      children.delete(child);
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (!line) return reject(new Error(`wrk printed no summary: ${out}`));
      const r = JSON.parse(line.slice('BENCH_JSON '.length)) as {
        requests: number;
        duration_us: number;
        p50_us: number;
        p99_us: number;
      };
      resolve({
        rps: r.requests / (r.duration_us / 1e6),
        requests: r.requests,
        p50Ms: r.p50_us / 1000,
        p99Ms: r.p99_us / 1000,
      });
    });
  });
}

function count(dataDir: string, file: string, sql: string): number {
  const db = new Database(path.join(dataDir, file), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n ?? 0;
  } finally {
    db.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  console.error('building…');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');

  // 1. Redirect only.
  const edgeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickwire-pipeline-'));
  temps.add(edgeDir);
  await createLink(edgeDir);
  const edge = await startServer('edge', edgeDir);
  await wrk(`${edge.edge}/bench`, 3);
  console.error(`redirect only: ${SECONDS} s of load…`);
  const redirectOnly = await wrk(`${edge.edge}/bench`, SECONDS);
  await stopServer(edge);

  // 2. Whole pipeline.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickwire-pipeline-'));
  temps.add(dir);
  await createLink(dir);
  const all = await startServer('all', dir);
  await sleep(1000);
  console.error(`whole pipeline: ${SECONDS} s of load…`);
  const loadStart = Date.now();
  const pipeline = await wrk(`${all.edge}/bench`, SECONDS);
  const loadEnd = Date.now();
  const logged = count(dir, 'clicklog.db', 'SELECT count(*) AS n FROM raw_clicks');
  const storedAtLoadEnd = count(dir, 'clickwire.db', 'SELECT count(*) AS n FROM clicks');
  let stored = storedAtLoadEnd;
  const drainDeadline = Date.now() + 300_000;
  while (stored < logged && Date.now() < drainDeadline) {
    await sleep(100);
    stored = count(dir, 'clickwire.db', 'SELECT count(*) AS n FROM clicks');
  }
  const drainedAt = Date.now();
  await stopServer(all);
  const events = count(
    dir,
    'clickwire.db',
    "SELECT count(*) AS n FROM events WHERE event_type = 'click.created'",
  );
  const db = new Database(path.join(dir, 'clickwire.db'), { readonly: true });
  const latencies = (
    db.prepare('SELECT processed_at - received_at AS ms FROM clicks').all() as { ms: number }[]
  )
    .map((row) => row.ms)
    .sort((a, b) => a - b);
  db.close();

  const endToEnd = stored / ((drainedAt - loadStart) / 1000);
  const drainRate =
    drainedAt > loadEnd ? (stored - storedAtLoadEnd) / ((drainedAt - loadEnd) / 1000) : Number.NaN;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const rows = [
    ['redirect only (`--role edge`), rps', fmt(redirectOnly.rps), '1.00×'],
    [
      'redirects while the whole pipeline runs, rps',
      fmt(pipeline.rps),
      `${(pipeline.rps / redirectOnly.rps).toFixed(2)}×`,
    ],
    [
      'end to end, clicks stored per second (load start → last click stored)',
      fmt(endToEnd),
      `${(endToEnd / redirectOnly.rps).toFixed(2)}×`,
    ],
    [
      'processor backlog drain, clicks/s (after the load stopped)',
      Number.isNaN(drainRate) ? 'no backlog' : fmt(drainRate),
      Number.isNaN(drainRate) ? '' : `${(drainRate / redirectOnly.rps).toFixed(2)}×`,
    ],
  ];
  const report = [
    '## Pipeline: edge → click log → processor → stored click + event (`npm run bench:pipeline`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}. wrk, ${CONNECTIONS} connections, ${SECONDS} s per phase${HAS_TASKSET ? ', generator pinned to core 1, servers on both cores' : ''}; compiled build.`,
    '',
    '| figure | value | vs redirect only |',
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `Capture → stored latency (\`processed_at − received_at\`, ${fmt(latencies.length)} clicks): p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms. ` +
      `Redirect latency under the whole pipeline: p50 ${pipeline.p50Ms.toFixed(2)} ms, p99 ${pipeline.p99Ms.toFixed(2)} ms (redirect only: ${redirectOnly.p50Ms.toFixed(2)} / ${redirectOnly.p99Ms.toFixed(2)} ms).`,
    '',
    `Check: ${fmt(logged)} raw clicks logged, ${fmt(stored)} stored, ${fmt(events)} \`click.created\` events — ${logged === stored && stored === events ? 'all equal' : '**MISMATCH**'}.`,
    '',
    'Reproduce: `npm run bench:pipeline`',
  ].join('\n');
  console.log(report);
  if (!args['skip-docs']) {
    const existing = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '# Performance\n';
    const section = `${START}\n${report}\n${END}`;
    const next = existing.includes(START)
      ? existing.replace(new RegExp(`${START}[\\s\\S]*?${END}`), section)
      : `${existing.trimEnd()}\n\n${section}\n`;
    fs.writeFileSync(DOC, next);
  }
  if (logged !== stored || stored !== events) process.exitCode = 1;
}

try {
  await main();
} finally {
  await cleanup();
}
