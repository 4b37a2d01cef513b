import type { Logger } from '../kernel/logger.js';
import type { LinkStore } from '../links/link-store.js';

/**
 * Polls the store's routing change counter and calls `onChange` when another process changed a
 * link or domain. In one process the API invalidates the edge directly; this covers edges running
 * as separate processes, within one poll interval.
 */
export class RouteChangeWatcher {
  private timer: NodeJS.Timeout | null = null;
  private last: number | null = null;
  private polling = false;

  constructor(
    private readonly links: Pick<LinkStore, 'changeCounter'>,
    private readonly onChange: () => void,
    private readonly logger: Logger,
    private readonly intervalMs = 500,
  ) {}

  async start(): Promise<void> {
    this.last = await this.links.changeCounter();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const current = await this.links.changeCounter();
      if (current !== this.last) {
        this.last = current;
        this.onChange();
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the routing change counter; keeping the cache');
    } finally {
      this.polling = false;
    }
  }
}
