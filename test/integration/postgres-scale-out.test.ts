import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/adapters/backend.js';
import { ClickPartitions } from '../../src/adapters/postgres/click-partitions.js';
import { openPostgresPool } from '../../src/adapters/postgres/open-postgres-pool.js';
import { openPostgresBackend } from '../../src/adapters/postgres/postgres-backend.js';
import { postgresEngine } from '../../src/adapters/postgres/postgres-engine.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { newId } from '../../src/kernel/ids.js';
import { createLogger } from '../../src/kernel/logger.js';
import { LinkService } from '../../src/links/link-service.js';
import { DailySalts } from '../../src/privacy/daily-salts.js';
import { ClickProcessor } from '../../src/processing/click-processor.js';
import { PRIVACY_MODE, type ProcessedClick } from '../../src/processing/processed-click.js';
import { ReferenceData } from '../../src/processing/reference-data.js';
import { TenancyService } from '../../src/tenancy/tenancy-service.js';
import { NO_FAILURES } from '../../src/webhooks/pause-policy.js';
import { NO_FILTERS } from '../../src/webhooks/subscription.js';
import { seedWorkspace } from '../contract/fixtures.js';
import { rawClick } from '../fixtures/raw-click.js';
import { clickCreated } from '../fixtures/webhook-events.js';
import {
  createTestSchema,
  SERVICES_REQUIRED,
  TEST_DATABASE_URL,
  type TestSchema,
} from '../support/postgres-test-database.js';
import { CHROME_DESKTOP } from '../support/processing-harness.js';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const LEASE = 60_000;

if (TEST_DATABASE_URL === null && !SERVICES_REQUIRED) {
  console.warn(
    'PostgreSQL scale-out tests skipped: set CLICKWIRE_TEST_DATABASE_URL=postgres://… (see DEVELOPERS.md)',
  );
}

/**
 * Several Clickwire processes on one PostgreSQL database: each backend below has a pool of its own,
 * as a separate process would, over the same fresh schema.
 */
describe.skipIf(TEST_DATABASE_URL === null && !SERVICES_REQUIRED)('PostgreSQL scale-out', () => {
  let schema: TestSchema | null = null;
  const open: Backend[] = [];

  async function processes(count: number): Promise<Backend[]> {
    if (TEST_DATABASE_URL === null)
      throw new Error('CLICKWIRE_REQUIRE_SERVICES is set but CLICKWIRE_TEST_DATABASE_URL is not');
    schema ??= await createTestSchema(TEST_DATABASE_URL);
    const { databaseUrl, schema: name } = schema;
    // At once, as processes started together would: migrations must run once, not collide.
    const backends = await Promise.all(
      Array.from({ length: count }, () =>
        // Partitions are made around T0, not around whenever the test runs.
        openPostgresBackend({
          databaseUrl,
          schema: name,
          captureMaxBatch: 100,
          maxConnections: 4,
          now: () => T0,
        }),
      ),
    );
    open.push(...backends);
    return backends;
  }

  afterEach(async () => {
    for (const backend of open.splice(0)) await backend.close();
    await schema?.drop();
    schema = null;
  });

  it('migrates once when several processes start together on an empty database', async () => {
    const [a, b, c] = await processes(3);
    const { rows } = await query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    const { rows: names } = await query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows[0]!.n).toBe(names.length);
    expect(new Set(names.map((row) => row.name)).size).toBe(names.length);
    // And each works: the first value of a setting wins everywhere.
    const values = await Promise.all(
      [a, b, c].map((backend, i) => backend!.settings.getOrCreate('k', `v${i}`)),
    );
    expect(new Set(values).size).toBe(1);
  });

  it('migrates a store of its own when another schema of the database already holds one', async () => {
    await processes(1);
    // A second deployment in the same database, on a schema of its own.
    const other = await createTestSchema(TEST_DATABASE_URL!);
    try {
      const backend = await openPostgresBackend({
        databaseUrl: other.databaseUrl,
        schema: other.schema,
        captureMaxBatch: 100,
        maxConnections: 2,
        now: () => T0,
      });
      try {
        expect(await backend.settings.getOrCreate('k', 'other')).toBe('other');
      } finally {
        await backend.close();
      }
      const { rows } = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = '${other.schema}' AND table_name LIKE 'schema_migrations%'`,
      );
      expect(rows[0]!.n).toBe(2);
    } finally {
      await other.drop();
    }
  });

  it('bootstraps one default workspace when several processes start on an empty store at once', async () => {
    const backends = await processes(4);
    const clock = new ManualClock(T0);
    const bootstrap = (secret: string | null) =>
      Promise.all(
        backends.map((backend) =>
          new TenancyService({ workspaces: backend.workspaces, apiKeys: backend.apiKeys, clock }).bootstrap(
            secret,
          ),
        ),
      );
    const results = await bootstrap(null);
    expect(new Set(results.map((result) => result.workspace.workspaceId)).size).toBe(1);
    expect(results.filter((result) => result.issued !== null)).toHaveLength(1);
    const { rows } = await query<{ n: number }>('SELECT count(*)::int AS n FROM workspaces');
    expect(rows[0]!.n).toBe(1);
  });

  it('two processors with overlapping batches store and count every click exactly once', async () => {
    const [first, second] = await processes(2);
    const clock = new ManualClock(T0);
    const tenancy = new TenancyService({ workspaces: first!.workspaces, apiKeys: first!.apiKeys, clock });
    const workspaceId = (await tenancy.bootstrap(null)).workspace.workspaceId;
    const links = new LinkService({
      links: first!.links,
      domains: first!.domains,
      clock,
      defaultShortUrlBase: 'https://clk.example.test',
      onLinkChanged: () => undefined,
    });
    const linkIds = await Promise.all(
      [1, 2, 3].map(
        async () => (await links.create(workspaceId, { destinationUrl: 'https://example.com/' })).link_id,
      ),
    );
    const total = 600;
    const clicks = Array.from({ length: total }, (_, i) =>
      rawClick({
        clickId: newId('click', T0 + i),
        occurredAt: T0 + i * 1000,
        workspaceId,
        linkId: linkIds[i % linkIds.length]!,
        slug: `s${i % linkIds.length}`,
        headers: CHROME_DESKTOP,
        ipHash: (i % 50).toString(16).padStart(32, '0'),
      }),
    );
    for (let i = 0; i < total; i += 100) await first!.clickLog.appendMany(clicks.slice(i, i + 100));

    let conflicts = 0;
    const logger = createLogger('warn', {
      write: (line: string) => {
        if (line.includes('stored by another processor')) conflicts++;
      },
    });
    const processor = (backend: Backend) =>
      new ClickProcessor(
        {
          clickLog: backend.clickLog,
          store: backend.processing,
          reference: new ReferenceData(backend, clock, 'clk.example.test'),
          salts: new DailySalts(backend.ipSalts, clock),
          clock,
          logger,
        },
        {
          consumer: 'processor',
          batchSize: 40,
          idlePollMs: 5,
          burstWindowMs: 20_000,
          defaultDomainIsHttps: true,
        },
      );
    // Both read the same log from the same committed position, so their batches overlap; each
    // retries past what the other stored. Each runs until the log is drained for it.
    const drain = async (p: ClickProcessor) => {
      let idle = 0;
      while (idle < 3) idle = (await p.processBatch()) === 0 ? idle + 1 : 0;
    };
    await Promise.all([drain(processor(first!)), drain(processor(second!)), drain(processor(second!))]);

    expect(conflicts).toBeGreaterThan(0);
    const stored = await query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT click_id)::int AS distinct FROM clicks',
    );
    expect(stored.rows[0]).toEqual({ n: total, distinct: total });
    const cells = await first!.processing.rollupCells(workspaceId);
    expect(cells.reduce((sum, cell) => sum + cell.clicks, 0)).toBe(total);
    const created = await query<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT payload::jsonb #>> '{data,click,click_id}')::int AS distinct
       FROM events WHERE event_type = 'click.created'`,
    );
    expect(created.rows[0]).toEqual({ n: total, distinct: total });
    const series = await query<{ n: number }>(
      'SELECT sum(human + bot + link_preview + prefetch + security_scanner)::int AS n FROM click_hourly_totals',
    );
    expect(series.rows[0]!.n).toBe(total);
  });

  it('dispatchers claim disjoint deliveries; a lease that runs out passes to another dispatcher', async () => {
    const [a, b] = await processes(2);
    const ws = (await seedWorkspace(a!)).workspaceId;
    const sub = await a!.subscriptions.insert({
      subscriptionId: newId('subscription'),
      workspaceId: ws,
      url: 'https://hooks.example.com/',
      description: null,
      eventTypes: ['click.*'],
      filters: NO_FILTERS,
      mode: { kind: 'immediate' },
      maxAttempts: 3,
      rateLimitPerSecond: null,
      status: 'active',
      statusReason: null,
      statusChangedAt: T0,
      secrets: { current: 'whsec_AAAA', previous: null },
      failureStreak: NO_FAILURES,
      startsAfterEvent: 0,
      createdAt: T0,
      updatedAt: T0,
    });
    const events = Array.from({ length: 40 }, () => clickCreated({ workspaceId: ws }));
    await a!.processing.commit({
      consumer: 'writer',
      position: 1,
      at: T0,
      clicks: [],
      relabels: [],
      visitorWindows: [],
      rollups: [],
      events,
    });
    const marks = await a!.deliveries.watermarks('dispatcher');
    const positioned = await a!.deliveries.readEventsAfter(marks.cursor, 100);
    const fanOut = () => ({
      consumer: 'dispatcher',
      from: marks.cursor,
      to: positioned.at(-1)!.position,
      subscriptionsVersion: marks.subscriptionsVersion,
      now: T0,
      targets: positioned.map(({ event }) => ({
        subscriptionId: sub.subscriptionId,
        eventId: event.eventId,
        delivery: { deliveryId: newId('delivery', T0), leaseUntil: null },
      })),
    });
    // Both dispatchers fan the same events out at once: exactly one of them commits.
    const commits = await Promise.all([
      a!.deliveries.commitFanOut(fanOut()),
      b!.deliveries.commitFanOut(fanOut()),
    ]);
    expect(commits.filter((commit) => commit.committed)).toHaveLength(1);
    const streams = await query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries');
    expect(streams.rows[0]!.n).toBe(40);

    const claim = (backend: Backend, now: number, limit: number) =>
      backend.deliveries.claimDue({ subscriptionId: sub.subscriptionId, now, limit, leaseMs: LEASE });
    // Several claimers in each dispatcher at once (as its subscription slots would): no delivery
    // is leased twice, and together they take all of them.
    const claims = await Promise.all([a, b, a, b, a, b].map((backend) => claim(backend!, T0, 8)));
    const claimed = claims.flat().map((d) => d.deliveryId);
    expect(new Set(claimed).size).toBe(claimed.length);
    const more = [...(await claim(a!, T0, 100)), ...(await claim(b!, T0, 100))].map((d) => d.deliveryId);
    expect(new Set([...claimed, ...more]).size).toBe(40);
    const idsA = [...claims[0]!, ...claims[2]!, ...claims[4]!].map((d) => d.deliveryId);
    const idsB = [
      ...claims[1]!,
      ...claims[3]!,
      ...claims[5]!,
      ...more.map((deliveryId) => ({ deliveryId })),
    ].map((d) => d.deliveryId);

    // While the leases hold, nobody claims; dispatcher A dies holding its deliveries.
    expect(await claim(b!, T0 + LEASE - 1, 100)).toEqual([]);
    await a!.close();
    open.splice(open.indexOf(a!), 1);
    const taken = await claim(b!, T0 + LEASE, 100);
    expect(new Set(taken.map((d) => d.deliveryId))).toEqual(new Set([...idsA, ...idsB]));
    await b!.deliveries.recordAttempts(
      taken.map((d) => ({
        deliveryId: d.deliveryId,
        subscriptionId: d.subscriptionId,
        attempt: null,
        next: { status: 'succeeded' },
        endpoint: 'none',
      })),
      T0 + LEASE,
    );
    expect(await claim(b!, T0 + 10 * LEASE, 100)).toEqual([]);
  });

  it('keeps clicks in monthly partitions, moving strays out of the default one, and drops whole months', async () => {
    const [backend] = await processes(1);
    const pool = openPostgresPool({
      databaseUrl: TEST_DATABASE_URL!,
      maxConnections: 1,
      schema: schema!.schema,
    });
    const engine = postgresEngine(pool);
    try {
      const partitions = new ClickPartitions(engine.db);
      const longAgo = Date.UTC(2024, 0, 15);
      const ws = (await seedWorkspace(backend!)).workspaceId;
      await backend!.processing.commit({
        consumer: 'writer',
        position: 1,
        at: T0,
        clicks: [processed(ws, longAgo), processed(ws, T0)],
        relabels: [],
        visitorWindows: [],
        rollups: [],
        events: [],
      });
      const where = async () =>
        (
          await query<{ part: string }>(
            'SELECT tableoid::regclass::text AS part FROM clicks ORDER BY occurred_at',
          )
        ).rows.map((row) => row.part.replace(/^.*\./, ''));
      expect(await where()).toEqual(['clicks_default', 'clicks_p202611']);
      expect(await partitions.ensure(longAgo, 0)).toEqual(['clicks_p202312', 'clicks_p202401']);
      expect(await where()).toEqual(['clicks_p202401', 'clicks_p202611']);
      // The longest raw-click retention of any workspace (the default, 90 days) decides.
      expect((await partitions.dropExpired(T0)).sort()).toEqual(['clicks_p202312', 'clicks_p202401']);
      expect(await where()).toEqual(['clicks_p202611']);
      expect(await partitions.dropBefore(Date.UTC(2026, 10, 1))).toEqual(['clicks_p202610']);
    } finally {
      await engine.db.destroy();
    }
  });

  async function query<T extends pg.QueryResultRow>(text: string): Promise<pg.QueryResult<T>> {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL! });
    await client.connect();
    try {
      await client.query(`SET search_path = ${schema!.schema}`);
      return await client.query<T>(text);
    } finally {
      await client.end();
    }
  }
});

function processed(workspaceId: string, occurredAt: number): ProcessedClick {
  return {
    clickId: newId('click', occurredAt),
    workspaceId,
    linkId: null,
    domainId: null,
    slug: 'x',
    campaignId: null,
    occurredAt,
    receivedAt: occurredAt,
    processedAt: occurredAt,
    method: 'GET',
    redirectStatus: 'not_found',
    blockReason: null,
    ipHash: 'a'.repeat(32),
    ipPrefix: '203.0.113.0/24',
    country: null,
    region: null,
    asn: null,
    deviceType: 'desktop',
    osFamily: null,
    browserFamily: null,
    referrerCategory: 'direct',
    referrerHost: null,
    language: null,
    isUnique: true,
    uniquenessRule: 'link_visitor_24h',
    trafficClass: 'human',
    isBot: false,
    botScore: 0,
    isSuspicious: false,
    fraudReason: null,
    reasons: [],
    privacyMode: PRIVACY_MODE,
    simulated: false,
  };
}
