import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * One metric family as a plain value — `Registry.getMetricsAsJSON()` without its functions — so a
 * worker thread can post it to the thread that answers `/metrics`.
 */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: string;
  readonly values: readonly {
    readonly value: number;
    readonly labels: Record<string, string | number>;
    /** For histograms: which series (`…_bucket`, `…_sum`, `…_count`). */
    readonly metricName?: string;
  }[];
}

/**
 * The counters and histograms of one thread. Each thread that runs a stage (the edge and API on the
 * main thread, the processor and dispatcher on theirs) has one, recording what happens there; the
 * thread that serves `/metrics` adds the others' snapshots up (see `MetricsExposition`). Names
 * follow Prometheus conventions: `_total` counters, base units (seconds).
 */
export class Metrics {
  readonly registry = new Registry();

  /**
   * `processDefaults`: also record prom-client's process and Node.js figures (RSS, CPU, event-loop
   * lag, heap, GC). One thread per process asks for them — the main thread, which answers the edge
   * and the API — since every thread would report the same process and the sums would be wrong.
   */
  constructor(options: { readonly processDefaults?: boolean } = {}) {
    if (options.processDefaults) collectDefaultMetrics({ register: this.registry });
  }

  /** Answers of the redirect edge to tracked requests, by HTTP status and what the click recorded. */
  readonly redirects = new Counter({
    name: 'clickwire_redirects_total',
    help: 'Answers of the redirect edge to tracked requests, by HTTP status and redirect outcome.',
    labelNames: ['status', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Clicks the processor stored, by traffic class. */
  readonly clicksProcessed = new Counter({
    name: 'clickwire_clicks_processed_total',
    help: 'Clicks the processor classified and stored, by traffic class.',
    labelNames: ['traffic_class'] as const,
    registers: [this.registry],
  });

  /**
   * Processor lag: how long each click waited between its redirect and being stored by the
   * processor. A histogram rather than a gauge, so it is honest when idle (no observations) and
   * adds up across processor threads and processes.
   */
  readonly processorLag = new Histogram({
    name: 'clickwire_processor_lag_seconds',
    help: 'Time from a click’s redirect to the processor storing it, seconds.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  /** Webhook delivery attempts and settlements, by outcome. */
  readonly deliveries = new Counter({
    name: 'clickwire_webhook_deliveries_total',
    help:
      'Webhook delivery attempts recorded, by what followed: succeeded, retrying (will be tried again), ' +
      'failed (given up), and by whether a request was sent.',
    labelNames: ['outcome', 'sent'] as const,
    registers: [this.registry],
  });

  /** How long subscribers took to answer a delivery. */
  readonly deliveryDuration = new Histogram({
    name: 'clickwire_webhook_delivery_duration_seconds',
    help: 'Time from sending a webhook request to its answer (or failure), seconds.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** API answers by route pattern, method and status. */
  readonly apiDuration = new Histogram({
    name: 'clickwire_api_request_duration_seconds',
    help: 'Time to answer an API request, seconds, by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** Click streams closed because their reader fell too far behind. */
  readonly streamsDropped = new Counter({
    name: 'clickwire_stream_readers_dropped_total',
    help: 'Click streams (/v1/stream/clicks) closed because the reader did not keep up.',
    registers: [this.registry],
  });

  /** This thread's figures as plain values. */
  async snapshot(): Promise<MetricFamily[]> {
    const families = await this.registry.getMetricsAsJSON();
    return families.map((family) => ({
      name: family.name,
      help: family.help,
      type: String(family.type),
      aggregator: family.aggregator,
      values: family.values.map((v) => ({
        value: v.value,
        labels: { ...(v.labels as Record<string, string | number>) },
        ...('metricName' in v && typeof v.metricName === 'string' ? { metricName: v.metricName } : {}),
      })),
    }));
  }
}
