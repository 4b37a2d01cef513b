/**
 * Webhook benchmark: Clickwire's dispatcher against a bare signed `undici` POST loop, both sending
 * to the same subscriber process in the same run.
 *
 *   npm run bench:webhooks -- [--rounds 3] [--deliveries 20000] [--concurrency 16]
 *                             [--rate 2000] [--seconds 10] [--warmup 5] [--skip-docs]
 *                             [--only throughput|latency] [--stages]
 *
 *   BENCH_PROFILE_DIR=DIR: the Clickwire child writes a V8 CPU profile per thread there (--cpu-prof).
 *
 * 1. Max deliveries/s: N events already stored and one subscription; `clickwire start --role
 *    dispatcher` fans them out, signs, POSTs and logs every attempt. Beside it, the bare loop POSTs
 *    the same N payloads, signed, with as many connections as the dispatcher's per-subscription
 *    concurrency. Rate = receipts / (last receipt − first receipt), measured by the subscriber.
 * 2. Click → subscriber latency at a sustained click rate: the whole pipeline (`clickwire start`:
 *    edge, processor thread, dispatcher thread, API) gets `GET /{alias}` at `--rate` clicks/s, each
 *    with its own `Referer` host; the subscriber notes when the `click.created` event carrying that
 *    host arrives. Beside it, the bare loop POSTs signed payloads at the same rate and the
 *    subscriber notes when each arrives. Latency = receipt − send (wall clock, sub-ms).
 * Rounds alternate (bare, clickwire, bare, …); each figure is the median over rounds and ratios are
 * ratios of medians. The subscriber runs in its own process. The figures are printed and written
 * to docs/performance.md between the bench:webhooks markers.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Pool, request } from 'undici';
import { UndiciWebhookTransport } from '../src/adapters/http/undici-webhook-transport.js';
import { openEmbeddedBackend } from '../src/adapters/sqlite/embedded-backend.js';
import type { StoredEvent } from '../src/events/event-envelope.js';
import { systemClock } from '../src/kernel/clock.js';
import { newId } from '../src/kernel/ids.js';
import { LinkService } from '../src/links/link-service.js';
import { TenancyService } from '../src/tenancy/tenancy-service.js';
import { generateSecret } from '../src/webhooks/webhook-secret.js';
import { WebhookService } from '../src/webhooks/webhook-service.js';
import { signatureHeader } from '../src/webhooks/webhook-signature.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RECEIVER = path.join(ROOT, 'bench', 'webhook-receiver.mjs');
const SAMPLE = path.join(ROOT, 'docs', 'events', 'click.created.json');
const DOC_FILE = path.join(ROOT, 'docs', 'performance.md');
const DOC_START = '<!-- bench:webhooks:start -->';
const DOC_END = '<!-- bench:webhooks:end -->';
const ADMIN_KEY = 'cw_live_bench_bootstrap_key_0123456789abcdef';
const BROWSER = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'de-DE,de;q=0.9,en;q=0.8',
  'sec-fetch-site': 'cross-site',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
};

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    deliveries: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    'skip-docs': { type: 'boolean', default: false },
    only: { type: 'string' },
    stages: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(args.rounds);
const DELIVERIES = Number(args.deliveries);
const CONCURRENCY = Number(args.concurrency);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);

const wallNow = () => performance.timeOrigin + performance.now();

/** CPU seconds per thread of a process (Linux `/proc`), by thread id; empty where `/proc` is missing. */
function threadCpu(pid: number): Map<number, { name: string; seconds: number }> {
  const threads = new Map<number, { name: string; seconds: number }>();
  const ticks = 100; // USER_HZ on Linux
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the name.
      threads.set(Number(tid), { name, seconds: (Number(fields[11]) + Number(fields[12])) / ticks });
    } catch {
      // the thread ended
    }
  }
  return threads;
}

/** CPU spent by a child between two snapshots: in all, and by its busiest threads. */
interface CpuSpent {
  readonly total: number;
  readonly threads: readonly { tid: number; name: string; seconds: number }[];
}

function cpuSince(before: ReturnType<typeof threadCpu>, after: ReturnType<typeof threadCpu>): CpuSpent {
  const threads = [...after].map(([tid, { name, seconds }]) => ({
    tid,
    name,
    seconds: seconds - (before.get(tid)?.seconds ?? 0),
  }));
  return {
    total: threads.reduce((sum, t) => sum + t.seconds, 0),
    threads: threads.sort((a, b) => b.seconds - a.seconds).slice(0, 4),
  };
}

/** `… µs CPU per unit (thread: µs, …)`: threads by id, the process's main thread named `main`. */
function cpuLine(spent: CpuSpent, units: number, pid: number, unit: string): string {
  const us = (seconds: number) => fmt((seconds * 1e6) / units);
  const parts = spent.threads.map((t) => `${t.tid === pid ? 'main' : `${t.name}#${t.tid}`} ${us(t.seconds)}`);
  return `${us(spent.total)} µs CPU per ${unit} (busiest threads: ${parts.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// The subscriber process

interface Report {
  count: number;
  first: number;
  last: number;
  arrivals: [string, number][];
}

class Subscriber {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<Subscriber> {
    const child = fork(RECEIVER, { env: { ...process.env, RECORD_KEYS: '1' } });
    const [ready] = (await once(child, 'message')) as [{ port: number }];
    return new Subscriber(child, ready.port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  private async ask<T>(type: string): Promise<T> {
    const answer = once(this.child, 'message');
    this.child.send({ type });
    return (await answer)[0] as T;
  }

  reset(): Promise<unknown> {
    return this.ask('reset');
  }

  report(): Promise<Report> {
    return this.ask<Report>('report');
  }

  async stop(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.send({ type: 'stop' });
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads and stores

const sample = JSON.parse(fs.readFileSync(SAMPLE, 'utf8')) as {
  event_id: string;
  workspace_id: string;
  data: { click: { click_id: string; referrer_host: string | null } };
};

/** A realistic `click.created` payload (the catalogue's sample) with fresh ids. */
function samplePayload(
  workspaceId: string,
  referrerHost: string | null = null,
): { id: string; body: string } {
  const id = newId('event');
  const event = {
    ...sample,
    event_id: id,
    workspace_id: workspaceId,
    data: {
      ...sample.data,
      click: { ...sample.data.click, click_id: newId('click'), referrer_host: referrerHost },
    },
  };
  return { id, body: JSON.stringify(event) };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'clickwire-bench-webhooks-'));
}

/** A data directory with a workspace, a link `bench`, a subscription to the subscriber and, optionally, stored events. */
async function prepareStore(subscriberUrl: string, events: number): Promise<string> {
  const dir = tempDir();
  const backend = await openEmbeddedBackend({
    dataDir: dir,
    captureDurability: 'process',
    captureMaxBatch: 1000,
  });
  const transport = new UndiciWebhookTransport({ allowPrivateAddresses: true, maxResponseBytes: 4096 });
  try {
    const tenancy = new TenancyService({
      workspaces: backend.workspaces,
      apiKeys: backend.apiKeys,
      clock: systemClock,
    });
    const { workspace } = await tenancy.bootstrap(ADMIN_KEY);
    const links = new LinkService({
      links: backend.links,
      domains: backend.domains,
      clock: systemClock,
      defaultShortUrlBase: 'http://127.0.0.1',
      onLinkChanged: () => undefined,
    });
    await links.create(workspace.workspaceId, { destinationUrl: 'https://example.com/', alias: 'bench' });
    const webhooks = new WebhookService(
      {
        subscriptions: backend.subscriptions,
        deliveries: backend.deliveries,
        log: backend.deliveryLog,
        transport,
        clock: systemClock,
      },
      { retryScheduleMs: [5_000], timeoutMs: 5_000, allowPrivateAddresses: true },
    );
    await webhooks.createSubscription(workspace.workspaceId, {
      url: subscriberUrl,
      eventTypes: ['click.created'],
    });
    for (let done = 0; done < events; done += 1000) {
      const batch: StoredEvent[] = [];
      for (let i = done; i < Math.min(events, done + 1000); i++) {
        const { id, body } = samplePayload(workspace.workspaceId);
        batch.push({
          eventId: id,
          workspaceId: workspace.workspaceId,
          eventType: 'click.created',
          occurredAt: Date.now(),
          payload: body,
        });
      }
      await backend.processing.commit({
        consumer: 'bench-event-writer',
        position: done + 1,
        at: Date.now(),
        clicks: [],
        relabels: [],
        visitorWindows: [],
        rollups: [],
        events: batch,
      });
    }
  } finally {
    await transport.close();
    await backend.close();
  }
  return dir;
}

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

/** Clickwire from source, as a child process over `dataDir`. */
async function startClickwire(dataDir: string, role: 'all' | 'dispatcher') {
  const edgePort = await freePort();
  const apiPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
        : []),
      '--import',
      'tsx',
      path.join(ROOT, 'src/cli.ts'),
      'start',
      '--role',
      role,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        CLICKWIRE_DATA_DIR: dataDir,
        CLICKWIRE_EDGE_PORT: String(edgePort),
        CLICKWIRE_API_PORT: String(apiPort),
        CLICKWIRE_BOOTSTRAP_API_KEY: ADMIN_KEY,
        CLICKWIRE_LOG_LEVEL: 'error',
        CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true',
        CLICKWIRE_WEBHOOK_CONCURRENCY: String(CONCURRENCY),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = once(child, 'exit');
  if (role === 'all') {
    // The API starts last, once the processor and dispatcher threads are ready.
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('clickwire did not start');
      try {
        const answer = await request(`http://127.0.0.1:${apiPort}/readyz`);
        await answer.body.dump();
        if (answer.statusCode === 200) break;
      } catch {
        // not yet
      }
      await sleep(100);
    }
  }
  return {
    edgeUrl: `http://127.0.0.1:${edgePort}`,
    pid: child.pid ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 1: max deliveries/s

async function waitForCount(subscriber: Subscriber, count: number, deadlineMs: number): Promise<Report> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const report = await subscriber.report();
    if (report.count >= count || Date.now() > deadline) return report;
    await sleep(50);
  }
}

const perSecond = (report: Report) => (report.count - 1) / ((report.last - report.first) / 1000);

async function bareThroughput(subscriber: Subscriber): Promise<number> {
  await subscriber.reset();
  const secret = generateSecret();
  const payloads = Array.from({ length: DELIVERIES }, () => samplePayload('ws_bench'));
  const pool = new Pool(`http://127.0.0.1:${subscriber.port}`, { connections: CONCURRENCY });
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < payloads.length) {
        const { id, body } = payloads[next++]!;
        const timestamp = Math.floor(Date.now() / 1000);
        const response = await pool.request({
          path: '/hook',
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signatureHeader(id, timestamp, body, [secret]),
          },
        });
        await response.body.dump();
      }
    }),
  );
  await pool.close();
  return perSecond(await subscriber.report());
}

async function clickwireThroughput(subscriber: Subscriber): Promise<number> {
  const dir = await prepareStore(subscriber.url, DELIVERIES);
  await subscriber.reset();
  const clickwire = await startClickwire(dir, 'dispatcher');
  try {
    // CPU from the first receipt on, so start-up (module loading, migrations) is not counted.
    const first = await waitForCount(subscriber, 1, 60_000);
    const before = threadCpu(clickwire.pid);
    const report = await waitForCount(subscriber, DELIVERIES, 300_000);
    if (report.count < DELIVERIES) throw new Error(`only ${report.count} of ${DELIVERIES} delivered`);
    const spent = cpuSince(before, threadCpu(clickwire.pid));
    if (spent.total > 0)
      console.log(`  clickwire: ${cpuLine(spent, report.count - first.count, clickwire.pid, 'delivery')}`);
    return perSecond(report);
  } finally {
    await clickwire.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 2: latency at a sustained rate

interface LatencyRun {
  readonly sent: number;
  readonly received: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * Calls `send(key)` for WARMUP seconds at a rate rising linearly to RATE (so start-up and JIT
 * warm-up do not leave a backlog behind), then RATE times a second for SECONDS; returns the send
 * times by key, in order.
 */
async function paced(
  send: (key: string) => Promise<void>,
  onWarm: () => void = () => undefined,
): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  const warmupCount = Math.floor((RATE * WARMUP) / 2);
  const total = warmupCount + RATE * SECONDS;
  // Requests due `t` ms after the start: the area under the rate ramp, then the flat rate.
  const dueAt = (t: number) => {
    const seconds = t / 1000;
    if (seconds <= WARMUP) return Math.floor((RATE * seconds * seconds) / (2 * WARMUP));
    return Math.floor(warmupCount + RATE * (seconds - WARMUP));
  };
  const start = performance.now();
  let issued = 0;
  const inflight = new Set<Promise<void>>();
  while (issued < total) {
    const due = Math.min(total, dueAt(performance.now() - start));
    if (issued <= warmupCount && due > warmupCount) onWarm();
    while (issued < due) {
      const key = `k${issued}.bench.test`;
      sentAt.set(key, wallNow());
      const p = send(key).finally(() => inflight.delete(p));
      inflight.add(p);
      issued++;
    }
    await sleep(1);
  }
  await Promise.all(inflight);
  return sentAt;
}

function latencies(sentAt: Map<string, number>, report: Report): LatencyRun {
  const arrived = new Map<string, number>();
  for (const [key, at] of report.arrivals) if (!arrived.has(key)) arrived.set(key, at);
  const skip = Math.floor((RATE * WARMUP) / 2);
  const values: number[] = [];
  let index = 0;
  let measured = 0;
  for (const [key, sent] of sentAt) {
    if (index++ < skip) continue;
    measured++;
    const at = arrived.get(key);
    if (at !== undefined) values.push(at - sent);
  }
  values.sort((a, b) => a - b);
  const q = (p: number) =>
    values[Math.min(values.length - 1, Math.ceil(p * values.length) - 1)] ?? Number.NaN;
  return { sent: measured, received: values.length, p50: q(0.5), p99: q(0.99) };
}

async function bareLatency(subscriber: Subscriber): Promise<LatencyRun> {
  await subscriber.reset();
  const secret = generateSecret();
  const pool = new Pool(`http://127.0.0.1:${subscriber.port}`, { connections: CONCURRENCY });
  const sentAt = await paced(async (key) => {
    const { id, body } = samplePayload('ws_bench', key);
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await pool.request({
      path: '/hook',
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(id, timestamp, body, [secret]),
      },
    });
    await response.body.dump();
  });
  await pool.close();
  return latencies(sentAt, await waitForCount(subscriber, sentAt.size, 5_000));
}

async function clickwireLatency(subscriber: Subscriber): Promise<LatencyRun> {
  const dir = await prepareStore(subscriber.url, 0);
  const clickwire = await startClickwire(dir, 'all');
  try {
    const edge = new Pool(clickwire.edgeUrl, { connections: 16 });
    // A moment for the threads to settle after start-up, outside the measurement.
    await sleep(500);
    await subscriber.reset();
    let before = threadCpu(clickwire.pid);
    const sentAt = await paced(
      async (key) => {
        const response = await edge.request({
          path: '/bench',
          method: 'GET',
          headers: { ...BROWSER, referer: `https://${key}/` },
        });
        await response.body.dump();
      },
      () => {
        before = threadCpu(clickwire.pid);
      },
    );
    await edge.close();
    const report = await waitForCount(subscriber, sentAt.size, 15_000);
    // CPU over the measured clicks: from the end of the warm-up until the last one was delivered.
    const spent = cpuSince(before, threadCpu(clickwire.pid));
    if (spent.total > 0)
      console.log(`  clickwire: ${cpuLine(spent, RATE * SECONDS, clickwire.pid, 'click')}`);
    if (args.stages) printStages(dir, sentAt, report);
    return latencies(sentAt, report);
  } finally {
    await clickwire.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `--stages`: where the latency of each measured click went, from the stored click's times —
 * send → `processed_at` (edge, capture commit, processor pick-up and classification) and
 * `processed_at` → receipt (processor commit, dispatcher pick-up, signing, POST).
 */
function printStages(dir: string, sentAt: Map<string, number>, report: Report): void {
  const db = new Database(path.join(dir, 'clickwire.db'), { readonly: true });
  const rows = db.prepare('SELECT referrer_host AS host, processed_at AS processed FROM clicks').all() as {
    host: string;
    processed: number;
  }[];
  db.close();
  const processedAt = new Map(rows.map((row) => [row.host, row.processed]));
  const arrived = new Map(report.arrivals);
  const skip = Math.floor((RATE * WARMUP) / 2);
  const toProcessed: number[] = [];
  const toReceipt: number[] = [];
  let index = 0;
  for (const [key, sent] of sentAt) {
    if (index++ < skip) continue;
    const processed = processedAt.get(key);
    const at = arrived.get(key);
    if (processed === undefined || at === undefined) continue;
    toProcessed.push(processed - sent);
    toReceipt.push(at - processed);
  }
  const q = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  };
  const line = (name: string, values: number[]) =>
    `  ${name}: p50 ${fmt(q(values, 0.5), 1)} ms, p90 ${fmt(q(values, 0.9), 1)} ms, p99 ${fmt(q(values, 0.99), 1)} ms`;
  console.log(`stages of ${toProcessed.length} clicks (ms clock of processed_at):`);
  console.log(line('send → processed_at (capture, processor pick-up, classify)', toProcessed));
  console.log(line('processed_at → receipt (processor commit, dispatch, POST)', toReceipt));
}

// ---------------------------------------------------------------------------------------------
// Report

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const perRound = (runs: readonly LatencyRun[]) =>
  runs.map((run) => `${fmt(run.p50, 1)} / ${fmt(run.p99, 1)}`).join(' · ');
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const subscriber = await Subscriber.start();
  const bareRates: number[] = [];
  const clickwireRates: number[] = [];
  const bareRuns: LatencyRun[] = [];
  const clickwireRuns: LatencyRun[] = [];
  try {
    for (let round = 1; round <= ROUNDS && args.only !== 'latency'; round++) {
      bareRates.push(await bareThroughput(subscriber));
      clickwireRates.push(await clickwireThroughput(subscriber));
      console.log(
        `round ${round} deliveries/s: bare ${fmt(bareRates.at(-1)!)}, clickwire ${fmt(clickwireRates.at(-1)!)}`,
      );
    }
    for (let round = 1; round <= ROUNDS && args.only !== 'throughput'; round++) {
      bareRuns.push(await bareLatency(subscriber));
      clickwireRuns.push(await clickwireLatency(subscriber));
      const b = bareRuns.at(-1)!;
      const c = clickwireRuns.at(-1)!;
      console.log(
        `round ${round} latency ms: bare p50 ${fmt(b.p50, 2)} p99 ${fmt(b.p99, 2)} (${b.received}/${b.sent}), ` +
          `clickwire p50 ${fmt(c.p50, 2)} p99 ${fmt(c.p99, 2)} (${c.received}/${c.sent})`,
      );
    }
  } finally {
    await subscriber.stop();
  }

  const bareRate = median(bareRates);
  const clickwireRate = median(clickwireRates);
  const lat = (runs: LatencyRun[]) => ({
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    lost: runs.reduce((sum, r) => sum + (r.sent - r.received), 0),
    sent: runs.reduce((sum, r) => sum + r.sent, 0),
  });
  const bare = lat(bareRuns);
  const clickwire = lat(clickwireRuns);
  const throughputRatio = clickwireRate / bareRate;
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');

  const section = [
    DOC_START,
    '## Webhook delivery vs a bare signed `undici` loop (`npm run bench:webhooks`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${os.cpus().length} cores, ${os.platform()} ${os.release()}, Node ${process.version}. Not pinned: Clickwire ` +
      '(from source, `node --import tsx src/cli.ts start`), the subscriber (its own process, answers 204) and this ' +
      `script share the cores. ${ROUNDS} alternating rounds; each figure is the median over rounds, ratios are ratios of medians.`,
    '',
    `**Max deliveries/s** — ${fmt(DELIVERIES)} stored \`click.created\` events (the catalogue sample, ~1.3 KB) to one ` +
      `subscription, per-subscription concurrency ${CONCURRENCY}; \`--role dispatcher\` fans out, signs, POSTs and ` +
      `records every attempt. The bare loop POSTs the same payloads, signed, over ${CONCURRENCY} connections. ` +
      'Rate measured by the subscriber, first to last receipt.',
    '',
    '| sender | deliveries/s | vs bare | per round |',
    '|---|---:|---:|---|',
    `| bare signed undici loop | ${fmt(bareRate)} | 1.00× | ${bareRates.map((r) => fmt(r)).join(' / ')} |`,
    `| Clickwire dispatcher (signing + attempt log) | ${fmt(clickwireRate)} | **${fmt(throughputRatio, 2)}×** | ${clickwireRates.map((r) => fmt(r)).join(' / ')} |`,
    '',
    `**Click → subscriber latency at ${fmt(RATE)} clicks/s** — ${SECONDS} s measured after a ${WARMUP} s warm-up ramping up to that rate, per round. ` +
      'Clickwire: the whole embedded pipeline (`clickwire start`: edge, processor thread, dispatcher thread), ' +
      '`GET /bench` with browser headers, receipt of the `click.created` event for that click. Bare: a signed POST ' +
      'straight to the subscriber at the same rate.',
    '',
    '| path | p50 ms | p99 ms | p50 vs bare | p99 vs bare | not received | p50 / p99 per round |',
    '|---|---:|---:|---:|---:|---:|---|',
    `| bare signed POST | ${fmt(bare.p50, 2)} | ${fmt(bare.p99, 2)} | 1.00× | 1.00× | ${bare.lost} of ${fmt(bare.sent)} | ${perRound(bareRuns)} |`,
    `| click → Clickwire → subscriber | ${fmt(clickwire.p50, 2)} | ${fmt(clickwire.p99, 2)} | ${fmt(clickwire.p50 / bare.p50, 1)}× | ${fmt(clickwire.p99 / bare.p99, 1)}× | ${clickwire.lost} of ${fmt(clickwire.sent)} | ${perRound(clickwireRuns)} |`,
    '',
    `Targets: p50 ≤ 5 ms (${met(clickwire.p50 <= 5)}: ${fmt(clickwire.p50, 2)} ms), p99 ≤ 25 ms ` +
      `(${met(clickwire.p99 <= 25)}: ${fmt(clickwire.p99, 2)} ms) at ${fmt(RATE)} clicks/s; deliveries/s ≥ 0.5× bare ` +
      `(${met(throughputRatio >= 0.5)}: ${fmt(throughputRatio, 2)}×).`,
    '',
    'Reproduce:',
    '',
    '```sh',
    'npm run bench:webhooks',
    '```',
    DOC_END,
  ].join('\n');
  console.log(`\n${section}\n`);
  if (args.only) return; // a partial run does not replace the published figures
  if (!args['skip-docs']) writeSection(section);
}

/** Replaces this benchmark's section of docs/performance.md (or appends it), leaving the others alone. */
function writeSection(section: string): void {
  const current = fs.existsSync(DOC_FILE) ? fs.readFileSync(DOC_FILE, 'utf8') : '# Performance\n';
  const start = current.indexOf(DOC_START);
  const end = current.indexOf(DOC_END);
  const next =
    start !== -1 && end > start
      ? current.slice(0, start) + section + current.slice(end + DOC_END.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(DOC_FILE, next);
}

await main();
