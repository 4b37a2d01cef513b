import path from 'node:path';
import Database from 'better-sqlite3';
import type { Backend } from '../../src/adapters/backend.js';
import { openEmbeddedBackend } from '../../src/adapters/sqlite/embedded-backend.js';
import type { ClickLog } from '../../src/click-log/click-log.js';
import type { RawClick } from '../../src/click-log/raw-click.js';
import { DomainService } from '../../src/domains/domain-service.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { newId } from '../../src/kernel/ids.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { NewLinkInput } from '../../src/links/link-input.js';
import { LinkService } from '../../src/links/link-service.js';
import { DailySalts } from '../../src/privacy/daily-salts.js';
import {
  ClickProcessor,
  type ClickProcessorDeps,
  type ClickProcessorOptions,
} from '../../src/processing/click-processor.js';
import { ReferenceData } from '../../src/processing/reference-data.js';
import { TenancyService } from '../../src/tenancy/tenancy-service.js';
import { rawClick } from '../fixtures/raw-click.js';
import { makeTempDir } from './temp-dir.js';

export const CHROME_DESKTOP = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'de-DE,de;q=0.9,en;q=0.8',
  'sec-fetch-site': 'cross-site',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-user': '?1',
};

/**
 * A real embedded backend (temp SQLite files) with a processor driven batch by batch and a
 * clock the test moves. Raw clicks are appended straight to the click log, as the edge would.
 */
export class ProcessingHarness {
  readonly clock = new ManualClock(Date.UTC(2026, 10, 27, 12, 0, 0));
  processor!: ClickProcessor;
  workspaceId = '';
  links!: LinkService;
  domains!: DomainService;
  tenancy!: TenancyService;

  private constructor(
    readonly backend: Backend,
    readonly dataDir: string,
    private readonly remove: () => void,
  ) {}

  /**
   * `clickLog`: a log to use instead of the embedded one (the harness closes it).
   * `processorCommits`: where the store writes the processor's batches (see `EmbeddedBackendOptions`).
   */
  static async open(
    options: Partial<ClickProcessorOptions> = {},
    {
      clickLog,
      processorCommits,
    }: { readonly clickLog?: ClickLog; readonly processorCommits?: 'connection' | 'thread' } = {},
  ): Promise<ProcessingHarness> {
    const temp = makeTempDir('clickwire-processing-');
    const backend = await openEmbeddedBackend({
      dataDir: temp.dir,
      captureDurability: 'process',
      captureMaxBatch: 1000,
      ...(clickLog ? { clickLog } : {}),
      ...(processorCommits ? { processorCommits } : {}),
    });
    const harness = new ProcessingHarness(backend, temp.dir, temp.remove);
    harness.tenancy = new TenancyService({
      workspaces: backend.workspaces,
      apiKeys: backend.apiKeys,
      clock: harness.clock,
    });
    harness.workspaceId = (await harness.tenancy.bootstrap(null)).workspace.workspaceId;
    harness.links = new LinkService({
      links: backend.links,
      domains: backend.domains,
      clock: harness.clock,
      defaultShortUrlBase: 'https://clk.example.test',
      onLinkChanged: () => undefined,
    });
    harness.domains = new DomainService(backend.domains, harness.clock, () => undefined);
    harness.processor = harness.newProcessor(options);
    return harness;
  }

  /**
   * A fresh processor over the same store, as after a restart (its in-memory state is gone), or —
   * given its own `clickLog` connection or `store` — as another process of the group would be.
   */
  newProcessor(
    options: Partial<ClickProcessorOptions> = {},
    deps: Partial<Pick<ClickProcessorDeps, 'clickLog' | 'store'>> = {},
  ): ClickProcessor {
    return new ClickProcessor(
      {
        clickLog: deps.clickLog ?? this.backend.clickLog,
        store: deps.store ?? this.backend.processing,
        reference: new ReferenceData(this.backend, this.clock, 'clk.example.test'),
        salts: new DailySalts(this.backend.ipSalts, this.clock),
        clock: this.clock,
        logger: createLogger('silent'),
      },
      {
        consumer: 'processor',
        batchSize: 500,
        idlePollMs: 5,
        burstWindowMs: 20_000,
        defaultDomainIsHttps: true,
        ...options,
      },
    );
  }

  async createLink(input: Partial<NewLinkInput> = {}): Promise<string> {
    const link = await this.links.create(this.workspaceId, {
      destinationUrl: 'https://example.com/',
      ...input,
    });
    return link.link_id;
  }

  /** Appends a raw click at the clock's current time; returns it. */
  async append(overrides: Partial<RawClick> = {}): Promise<RawClick> {
    const click = rawClick({
      clickId: newId('click', this.clock.now()),
      occurredAt: this.clock.now(),
      workspaceId: this.workspaceId,
      headers: CHROME_DESKTOP,
      ...overrides,
    });
    await this.backend.clickLog.append(click);
    return click;
  }

  /** Runs the processor until the log is drained; returns entries consumed. */
  async processAll(processor = this.processor): Promise<number> {
    let total = 0;
    for (;;) {
      const consumed = await processor.processBatch();
      if (consumed === 0) return total;
      total += consumed;
    }
  }

  /** Read-only view of the store file, for assertions on tables. */
  query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(path.join(this.dataDir, 'clickwire.db'), { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  rollupTotal(where = '1 = 1'): number {
    return (
      this.query<{ n: number | null }>(`SELECT sum(clicks) AS n FROM click_rollups WHERE ${where}`)[0]?.n ?? 0
    );
  }

  async close(): Promise<void> {
    await this.backend.close();
    this.remove();
  }
}
