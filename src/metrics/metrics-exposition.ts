import { AggregatorRegistry } from 'prom-client';
import type { MetricFamily, Metrics } from './metrics.js';

/** A figure read at scrape time (from the store), rather than counted as things happen. */
export interface ScrapeGauge {
  readonly name: string;
  readonly help: string;
  read(): Promise<number>;
}

/**
 * `/metrics` of a process: this thread's counters, plus those of the role threads (added up with
 * prom-client's aggregator, the one it uses for cluster workers), plus gauges read from the store
 * at scrape time. A thread or gauge that cannot answer is left out — never reported as zero.
 */
export class MetricsExposition {
  constructor(
    private readonly local: Metrics,
    private readonly threads: () => readonly (() => Promise<MetricFamily[]>)[],
    private readonly gauges: readonly ScrapeGauge[],
    private readonly onGaugeError: (name: string, error: unknown) => void,
  ) {}

  /** The Prometheus text exposition and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    const snapshots = await Promise.all([this.local.snapshot(), ...this.threads().map((read) => read())]);
    const read: MetricFamily[] = [];
    for (const gauge of this.gauges) {
      try {
        const value = await gauge.read();
        read.push({
          name: gauge.name,
          help: gauge.help,
          type: 'gauge',
          aggregator: 'first',
          values: [{ value, labels: {} }],
        });
      } catch (error) {
        this.onGaugeError(gauge.name, error);
      }
    }
    const registry = AggregatorRegistry.aggregate([...snapshots, read]);
    // prom-client writes a not-a-number sample (the event-loop lag before its first interval) as
    // `Nan`, which Prometheus's parser refuses; the exposition format spells it `NaN`.
    const text = (await registry.metrics()).replace(/ Nan$/gm, ' NaN');
    return { contentType: registry.contentType, text };
  }
}
