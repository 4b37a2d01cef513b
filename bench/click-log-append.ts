/**
 * Edge append throughput: the JetStream click log beside the embedded SQLite log, same load, same run.
 *
 *   npx tsx bench/click-log-append.ts [--nats nats://127.0.0.1:4222] [--seconds 5] [--rounds 3]
 *                                    [--concurrency 50] [--batch 1]
 *
 * - The load is what the edge puts on its log: `concurrency` requests in flight, each appending one
 *   click (`--batch 1`, `append`) or a capture-thread batch (`--batch N`, `appendMany`), and the next
 *   one starting as soon as the previous resolved, i.e. once the click is durable.
 * - Embedded: `synchronous=NORMAL` (the default `CLICKWIRE_CAPTURE_DURABILITY=process`). JetStream:
 *   a fresh stream on the server given (file storage, R1), deleted afterwards; an append resolves on
 *   the server's acknowledgement.
 * - Rounds alternate (embedded, jetstream, embedded, …) because the machine drifts; each figure is
 *   the median over rounds, and the ratio is JetStream's median over the embedded median.
 * - Then the processor's side of the log: a new consumer group reads back everything appended, in
 *   batches of 500, acknowledging each (JetStream: confirmed acks) — the log's share of the
 *   processor's cost, without the store.
 */

import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { JETSTREAM_CLICK_LOG_DEFAULTS, JetStreamClickLog } from '../src/adapters/nats/jetstream-click-log.js';
import { SqliteClickLog } from '../src/adapters/sqlite/sqlite-click-log.js';
import type { ClickLog } from '../src/click-log/click-log.js';
import type { RawClick } from '../src/click-log/raw-click.js';
import { newId } from '../src/kernel/ids.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { writePerformanceSection } from './support/performance-doc.js';

const { values } = parseArgs({
  options: {
    nats: { type: 'string', default: process.env.CLICKWIRE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '50' },
    batch: { type: 'string', default: '1' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const batch = Number(values.batch);

function click(i: number): RawClick {
  return {
    clickId: newId('click'),
    occurredAt: Date.now(),
    workspaceId: `ws_bench_${i % 8}`,
    linkId: 'lnk_bench',
    domainId: null,
    slug: 'bench',
    method: 'GET',
    redirectStatus: 'success',
    blockReason: null,
    headers: {
      'user-agent':
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-language': 'en-US,en;q=0.9',
      referer: 'https://news.example.org/article',
    },
    ipHash: randomBytes(16).toString('hex'),
    ipPrefix: '203.0.113.0/24',
    country: 'DE',
    asn: 3320,
    asnOrg: 'Deutsche Telekom AG',
  };
}

interface Figures {
  readonly clicksPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** `concurrency` closed-loop appenders for `seconds`; clicks made durable per second, and latencies. */
async function load(log: ClickLog): Promise<Figures> {
  const latencies: number[] = [];
  let clicks = 0;
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      if (batch === 1) await log.append(click(n++));
      else await log.appendMany(Array.from({ length: batch }, () => click(n++)));
      latencies.push(performance.now() - started);
      clicks += batch;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { clicksPerSecond: clicks / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** A new group reads the whole log in batches of 500, acknowledging each; entries per second. */
async function consumeAll(log: ClickLog): Promise<{ entries: number; perSecond: number }> {
  let committed = 0;
  const consumer = await log.openConsumer({
    group: 'bench_reader',
    batchSize: 500,
    committedPosition: async () => committed,
  });
  let entries = 0;
  const t0 = performance.now();
  for (;;) {
    const batch = await consumer.fetch();
    if (batch.length === 0) break;
    if (consumer.progress === 'caller') committed = batch.at(-1)!.position;
    await consumer.acknowledge(batch);
    entries += batch.length;
  }
  return { entries, perSecond: entries / ((performance.now() - t0) / 1000) };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const temp = makeTempDir('clickwire-bench-log-');
const stream = `CW_BENCH_${randomBytes(4).toString('hex')}`;
const embedded = new SqliteClickLog({
  file: `${temp.dir}/clicklog.db`,
  synchronous: 'NORMAL',
  maxBatch: 1000,
});
const jetstream = await JetStreamClickLog.open({
  ...JETSTREAM_CLICK_LOG_DEFAULTS,
  servers: [values.nats],
  stream,
  subjectPrefix: `${stream.toLowerCase()}.clicks`,
  connectionName: 'clickwire-bench',
});
const results: Record<'embedded' | 'jetstream', Figures[]> = { embedded: [], jetstream: [] };
let consumed: Record<'embedded' | 'jetstream', { entries: number; perSecond: number }>;
try {
  await load(embedded); // warm-up, both
  await load(jetstream);
  for (let round = 0; round < rounds; round++) {
    results.embedded.push(await load(embedded));
    results.jetstream.push(await load(jetstream));
  }
  consumed = { embedded: await consumeAll(embedded), jetstream: await consumeAll(jetstream) };
} finally {
  await embedded.close();
  await jetstream.close();
  const nc = await connect({ servers: values.nats });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
  await nc.close();
  temp.remove();
}

const summary = (name: 'embedded' | 'jetstream') => ({
  clicksPerSecond: median(results[name].map((r) => r.clicksPerSecond)),
  p50Ms: median(results[name].map((r) => r.p50Ms)),
  p99Ms: median(results[name].map((r) => r.p99Ms)),
});
const base = summary('embedded');
const js = summary('jetstream');
const row = (name: string, f: Figures, ratio: string) =>
  `| ${name} | ${Math.round(f.clicksPerSecond).toLocaleString('en-US')} | ${f.p50Ms.toFixed(2)} | ${f.p99Ms.toFixed(2)} | ${ratio} |`;
const lines: string[] = [
  '## Click log appends: embedded vs JetStream (`npm run bench:click-log`)',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}.`,
  '',
];
lines.push(
  `Click log appends: ${concurrency} in flight, ${batch === 1 ? 'append' : `appendMany of ${batch}`}, ` +
    `${rounds} alternating rounds of ${seconds} s, medians`,
);
lines.push('| log | clicks/s | p50 ms | p99 ms | ratio (clicks/s) |');
lines.push('|---|---|---|---|---|');
lines.push(row('embedded SQLite (baseline)', base, '1.00'));
lines.push(row('JetStream (file, R1)', js, (js.clicksPerSecond / base.clicksPerSecond).toFixed(2)));
lines.push('');
lines.push('Reading back (new group, batches of 500, each acknowledged):');
lines.push('| log | entries | entries/s | ratio |');
lines.push('|---|---|---|---|');
for (const name of ['embedded', 'jetstream'] as const) {
  const { entries, perSecond } = consumed[name];
  const ratio = (perSecond / consumed.embedded.perSecond).toFixed(2);
  lines.push(
    `| ${name} | ${entries.toLocaleString('en-US')} | ${Math.round(perSecond).toLocaleString('en-US')} | ${ratio} |`,
  );
}
lines.push('', 'Reproduce: `npm run bench:click-log`');
console.log(lines.join('\n'));
writePerformanceSection('bench:click-log', lines.join('\n'));
