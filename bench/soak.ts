/**
 * `npm run soak -- --minutes N`: Clickwire (embedded, as `clickwire start` in a child process)
 * under a steady mixed load — redirects, API reads, webhook deliveries to a subscriber in this
 * process — for N minutes. Each minute it prints the server's RSS, event-loop lag, processor lag
 * and the delivery lag the subscriber saw; at the end it fails (exit 1) if any of them kept
 * growing. Traffic goes to 127.0.0.1 only and the run stops by itself.
 *
 * Options: --minutes 5  --rate 300 (redirects/s)  --api-rate 10 (API reads/s)
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startRedirectLoad } from '../test/faults/support/redirect-load.js';
import { apiClient, call } from '../test/support/api-client.js';
import { startChildServer } from '../test/support/child-server.js';
import { makeTempDir } from '../test/support/temp-dir.js';
import { type Sample, verdicts } from './support/soak-verdict.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    rate: { type: 'string', default: '300' },
    'api-rate': { type: 'string', default: '10' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const apiRate = Number(values['api-rate']);
if (!(minutes >= 1 && rate > 0 && apiRate > 0)) {
  console.error('usage: npm run soak -- --minutes N [--rate redirects/s] [--api-rate reads/s]');
  process.exit(2);
}

/** The subscriber: answers 200 and notes how long each click took from the edge to here. */
const deliveryLagsMs: number[] = [];
let delivered = 0;
const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString()) as {
        data?: { click?: { occurred_at?: string } };
      };
      const occurredAt = Date.parse(event.data?.click?.occurred_at ?? '');
      if (Number.isFinite(occurredAt)) deliveryLagsMs.push(Date.now() - occurredAt);
      delivered++;
    } catch {
      // a body that is not one event (a test event, say): not part of the figures
    }
    response.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/soak`;

const temp = makeTempDir('clickwire-soak-');
const server = await startChildServer(temp.dir, {
  CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true',
  // The soak's own reads must not be what limits it.
  CLICKWIRE_API_RATE_LIMIT_RAW: '1000000',
  CLICKWIRE_API_RATE_LIMIT_AGGREGATE: '1000000',
});
const pid = server.process.pid!;
const api = apiClient(server.apiUrl, server.adminKey);

try {
  const link = await api<{ link_id: string }>('POST', '/v1/links', {
    body: { destination_url: 'https://example.com/soak', alias: 'soak' },
  });
  const subscription = await api('POST', '/v1/webhook-subscriptions', {
    body: { url: receiverUrl, event_types: ['click.created'] },
  });
  if (link.status !== 201 || subscription.status !== 201) {
    throw new Error(
      `setup failed: link ${link.status} ${link.text}; subscription ${subscription.status} ${subscription.text}`,
    );
  }

  const redirects = startRedirectLoad({
    edgeUrl: server.edgeUrl,
    path: '/soak',
    concurrency: 16,
    ratePerSecond: rate,
  });
  let apiReads = 0;
  let apiErrors = 0;
  let stopReads = false;
  const reads = (async () => {
    const paths = [
      '/v1/clicks?limit=100',
      '/v1/analytics/clicks/daily',
      `/v1/links/${link.body.link_id}`,
      '/v1/events?limit=100',
    ];
    while (!stopReads) {
      const answer = await api('GET', paths[apiReads % paths.length]!);
      apiReads++;
      if (answer.status !== 200) apiErrors++;
      await sleep(1_000 / apiRate);
    }
  })();

  const samples: Sample[] = [];
  console.log(
    'minute  redirects  deliveries  api-reads  rss-MB  loop-lag-ms  processor-lag-s  delivery-lag-p50/p99-ms',
  );
  let processorLag = { sum: 0, count: 0 };
  for (let minute = 1; minute <= minutes; minute++) {
    await sleep(60_000);
    const metrics = await call(server.apiUrl, 'GET', '/metrics');
    // The processor's lag is a histogram: its mean over this minute, from the sum and count.
    const lagNow = {
      sum: metricValue(metrics.text, 'clickwire_processor_lag_seconds_sum'),
      count: metricValue(metrics.text, 'clickwire_processor_lag_seconds_count'),
    };
    const minuteLagS = (lagNow.sum - processorLag.sum) / Math.max(1, lagNow.count - processorLag.count);
    processorLag = lagNow;
    const lags = deliveryLagsMs.splice(0).sort((a, b) => a - b);
    const sample: Sample = {
      rssMb: residentMegabytes(pid),
      loopLagMs: metricValue(metrics.text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
      processorLagS: minuteLagS,
      deliveryLagP99Ms: percentile(lags, 0.99),
    };
    samples.push(sample);
    console.log(
      [
        String(minute).padStart(6),
        String(redirects.redirected.size).padStart(10),
        String(delivered).padStart(11),
        String(apiReads).padStart(10),
        sample.rssMb.toFixed(0).padStart(7),
        sample.loopLagMs.toFixed(1).padStart(12),
        sample.processorLagS.toFixed(2).padStart(16),
        `${percentile(lags, 0.5).toFixed(0)}/${sample.deliveryLagP99Ms.toFixed(0)}`.padStart(24),
      ].join(' '),
    );
  }
  stopReads = true;
  await redirects.stop();
  await reads;

  const failures = verdicts(samples);
  const lost = redirects.unanswered.size + [...redirects.otherAnswers.values()].reduce((a, b) => a + b, 0);
  if (lost > 0) failures.push(`${lost} redirects were not answered with a 302`);
  if (apiErrors > 0) failures.push(`${apiErrors} API reads did not answer 200`);
  if (failures.length > 0) {
    console.error(`\nsoak FAILED:\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  } else {
    console.log(`\nsoak passed: ${minutes} min, nothing kept growing.`);
  }
} finally {
  await server.terminate();
  receiver.close();
  temp.remove();
}

/** Resident memory of the whole server process (every thread), from /proc. */
function residentMegabytes(processId: number): number {
  const status = fs.readFileSync(`/proc/${processId}/status`, 'utf8');
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kilobytes / 1024;
}

/** One unlabelled sample of a Prometheus text exposition; NaN when the server does not export it. */
function metricValue(exposition: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([^\\s]+)`, 'm').exec(exposition);
  return match ? Number(match[1]) : Number.NaN;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}
