/**
 * Instrumentation for `bench/redirect.ts --probe`, preloaded into the compiled Clickwire process
 * (`node --import ./bench/commit-probe.mjs dist/src/cli.js start`). It changes no behaviour: it wraps
 *
 * - `SqliteClickLog.flush` — how many clicks each group commit wrote and how long the commit took;
 * - `ClickProcessor.processBatch`, when the processor runs on the same event loop as the edge — how
 *   long each batch held that loop;
 *
 * and watches the event-loop delay. On SIGUSR2 it appends the figures since the previous SIGUSR2 as
 * one JSON line to $CLICKWIRE_BENCH_PROBE_FILE and starts over, so the bench can bracket each round.
 * Only the main thread (the event loop that answers redirects, and the one that gets signals) is probed.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const file = isMainThread ? process.env.CLICKWIRE_BENCH_PROBE_FILE : undefined;
/** The compiled sources the server runs: the bench's private build, else the repository's dist/. */
const dist = new URL(process.env.CLICKWIRE_BENCH_DIST ?? '../dist/src/', import.meta.url);

/** Keeps every sample of a window; windows are a few hundred thousand numbers at most. */
class Samples {
  values = [];
  add(v) {
    this.values.push(v);
  }
  summary() {
    const sorted = Float64Array.from(this.values).sort();
    const n = sorted.length;
    const at = (q) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]);
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: n,
      sum,
      mean: n === 0 ? 0 : sum / n,
      p50: at(0.5),
      p99: at(0.99),
      max: n === 0 ? 0 : sorted[n - 1],
    };
  }
}

async function install(out) {
  let batches = new Samples();
  let commitMs = new Samples();
  let processorMs = new Samples();
  let processorEntries = 0;
  let windowStart = performance.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();

  const { SqliteClickLog } = await import(new URL('adapters/sqlite/sqlite-click-log.js', dist).href);
  const flush = SqliteClickLog.prototype.flush;
  SqliteClickLog.prototype.flush = function probedFlush() {
    const size = Math.min(this.pending.length, this.options.maxBatch);
    const started = performance.now();
    flush.call(this);
    if (size > 0) {
      commitMs.add(performance.now() - started);
      batches.add(size);
    }
  };

  try {
    const { ClickProcessor } = await import(new URL('processing/click-processor.js', dist).href);
    const processBatch = ClickProcessor.prototype.processBatch;
    ClickProcessor.prototype.processBatch = async function probedProcessBatch() {
      const started = performance.now();
      const consumed = await processBatch.call(this);
      if (consumed > 0) {
        processorMs.add(performance.now() - started);
        processorEntries += consumed;
      }
      return consumed;
    };
  } catch {
    // No processor in this build.
  }

  process.on('SIGUSR2', () => {
    const now = performance.now();
    const line = {
      wallMs: now - windowStart,
      batch: batches.summary(),
      commitMs: commitMs.summary(),
      processorMs: processorMs.summary(),
      processorEntries,
      loopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
      },
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
    batches = new Samples();
    commitMs = new Samples();
    processorMs = new Samples();
    processorEntries = 0;
    loopDelay.reset();
    windowStart = now;
  });
}

if (file) await install(file);
