import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/child-server.js';
import { TEST_NATS_URL, TestStream } from '../support/jetstream-test-stream.js';
import {
  createTestSchema,
  SERVICES_REQUIRED,
  TEST_DATABASE_URL,
  type TestSchema,
} from '../support/postgres-test-database.js';
import { makeTempDir } from '../support/temp-dir.js';
import { TEST_ADMIN_KEY } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

if (TEST_DATABASE_URL === null && !SERVICES_REQUIRED) {
  console.warn(
    'PostgreSQL role-process test skipped: set CLICKWIRE_TEST_DATABASE_URL=postgres://… (see DEVELOPERS.md)',
  );
}

type Role = 'api' | 'edge' | 'processor' | 'dispatcher';

interface RoleProcess {
  readonly role: Role;
  readonly child: ChildProcess;
  readonly port: number | null;
  stderr(): string;
  kill(): Promise<void>;
}

/** Which click log the processes use: PostgreSQL's table, or a JetStream stream of the test's own. */
interface LogUnderTest {
  readonly name: string;
  /** Processors to run at once (JetStream shares a group's work between them). */
  readonly processors: number;
  open(): Promise<{ env: Record<string, string>; count: () => Promise<number>; drop: () => Promise<void> }>;
}

const LOGS: LogUnderTest[] = [
  {
    name: 'the PostgreSQL table click log',
    processors: 1,
    open: async () => ({ env: {}, count: async () => Number.NaN, drop: async () => {} }),
  },
];
if (TEST_NATS_URL !== null) {
  LOGS.push({
    name: 'the JetStream click log',
    processors: 2,
    open: async () => {
      const stream = new TestStream();
      return { env: stream.env(), count: () => stream.messageCount(), drop: () => stream.drop() };
    },
  });
}

/**
 * The roles as separate processes on one PostgreSQL database: an API, two edges, processors and two
 * dispatchers, started at once on an empty schema. What a user would notice: a link changed
 * through the API redirects to its new destination on every edge within a second; every redirect
 * answered is one stored click, counted once — with a processor killed mid-load and started again;
 * and every `click.created` reaches the subscriber, signed, fanned out once by two dispatchers.
 */
describe.skipIf(TEST_DATABASE_URL === null && !SERVICES_REQUIRED).each(LOGS)(
  'roles as processes on PostgreSQL with $name',
  (log) => {
    let schema: TestSchema;
    let databaseUrl: string;
    let receiver: WebhookReceiver;
    const temp = makeTempDir('clickwire-pg-roles-');
    const processes: RoleProcess[] = [];
    let logEnv: Record<string, string> = {};
    let logCount: () => Promise<number> = async () => Number.NaN;
    let dropLog: () => Promise<void> = async () => {};

    beforeAll(async () => {
      if (TEST_DATABASE_URL === null) {
        throw new Error('CLICKWIRE_REQUIRE_SERVICES is set but CLICKWIRE_TEST_DATABASE_URL is not');
      }
      ({ env: logEnv, count: logCount, drop: dropLog } = await log.open());
      receiver = await WebhookReceiver.start();
      schema = await createTestSchema(TEST_DATABASE_URL);
      // The processes know only CLICKWIRE_DATABASE_URL: the schema travels in its `options`.
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set('options', `-c search_path=${schema.schema}`);
      databaseUrl = url.toString();
    });

    afterAll(async () => {
      for (const running of processes.splice(0)) await running.kill();
      await receiver?.close();
      await schema?.drop();
      await dropLog();
      temp.remove();
    });

    async function start(role: Role): Promise<RoleProcess> {
      const port = role === 'edge' || role === 'api' ? await freePort() : null;
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'start', '--role', role],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            CLICKWIRE_DATABASE_URL: databaseUrl,
            CLICKWIRE_DATABASE_POOL_SIZE: '4',
            CLICKWIRE_DATA_DIR: temp.dir,
            CLICKWIRE_EDGE_PORT: String(role === 'edge' ? port : await freePort()),
            CLICKWIRE_API_PORT: String(role === 'api' ? port : await freePort()),
            CLICKWIRE_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY,
            CLICKWIRE_LOG_LEVEL: 'warn',
            // The test's receiver listens on loopback.
            CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true',
            ...logEnv,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const started: RoleProcess = {
        role,
        child,
        port,
        stderr: () => stderr,
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      };
      processes.push(started);
      return started;
    }

    async function ready(url: string, owner: RoleProcess): Promise<void> {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (owner.child.exitCode !== null) throw new Error(`${owner.role} exited: ${owner.stderr()}`);
        try {
          const { statusCode, body } = await request(url);
          await body.dump();
          if (statusCode === 200) return;
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      throw new Error(`${owner.role} not ready: ${owner.stderr()}`);
    }

    async function api(method: 'POST' | 'PATCH', apiUrl: string, route: string, body: unknown) {
      const response = await request(`${apiUrl}${route}`, {
        method,
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.body.json()) as Record<string, unknown>;
      if (response.statusCode >= 300) {
        throw new Error(`${method} ${route}: ${response.statusCode} ${JSON.stringify(json)}`);
      }
      return json;
    }

    async function redirect(edge: RoleProcess, alias: string): Promise<string | undefined> {
      const { headers, body } = await request(`http://127.0.0.1:${edge.port}/${alias}`, {
        headers: { 'user-agent': CHROME, accept: 'text/html' },
      });
      await body.dump();
      return headers.location as string | undefined;
    }

    async function rows<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (await client.query<T>(sql)).rows;
      } finally {
        await client.end();
      }
    }

    const count = async (sql: string) => Number((await rows<{ n: number | null }>(sql))[0]?.n ?? 0);

    it('invalidates every edge within a second of a link change, stores each answered click once and delivers it', async () => {
      // Started together on an empty schema: each migrates, under the lock, and only one bootstraps.
      const roles: Role[] = ['api', 'edge', 'edge', 'dispatcher', 'dispatcher'];
      for (let i = 0; i < log.processors; i++) roles.push('processor');
      const [apiProcess, edgeA, edgeB, , , firstProcessor] = await Promise.all(
        roles.map((role) => start(role)),
      );
      await Promise.all([
        ready(`http://127.0.0.1:${apiProcess!.port}/readyz`, apiProcess!),
        ready(`http://127.0.0.1:${edgeA!.port}/healthz`, edgeA!),
        ready(`http://127.0.0.1:${edgeB!.port}/healthz`, edgeB!),
      ]);
      const apiUrl = `http://127.0.0.1:${apiProcess!.port}`;
      const link = await api('POST', apiUrl, '/v1/links', {
        destination_url: 'https://a.example/',
        alias: 'pg-roles',
      });
      const linkId = String(link.link_id);
      const subscription = await api('POST', apiUrl, '/v1/webhook-subscriptions', {
        url: receiver.url(),
        event_types: ['click.created'],
        filters: { link_ids: [linkId] },
      });

      // Every answered request is a click (a 404 before an edge knew the link included).
      let answered = 0;
      const hit = async (edge: RoleProcess) => {
        const location = await redirect(edge, 'pg-roles');
        answered++;
        return location;
      };
      // An edge may have loaded its routes before the link existed: within a poll it knows it.
      for (const edge of [edgeA!, edgeB!]) {
        const deadline = Date.now() + 2000;
        while ((await hit(edge)) !== 'https://a.example/' && Date.now() < deadline) await sleep(20);
        expect(await hit(edge)).toBe('https://a.example/');
      }

      await api('PATCH', apiUrl, `/v1/links/${linkId}`, { destination_url: 'https://b.example/' });
      const changedAt = Date.now();
      const seen = await Promise.all(
        [edgeA!, edgeB!].map(async (edge) => {
          while (Date.now() - changedAt < 5000) {
            if ((await hit(edge)) === 'https://b.example/') return Date.now() - changedAt;
            await sleep(20);
          }
          return Number.POSITIVE_INFINITY;
        }),
      );
      for (const ms of seen) expect(ms).toBeLessThan(1000);

      // Load both edges while a processor is killed and started again.
      const load = (async () => {
        for (let round = 0; round < 60; round++) {
          await Promise.all([hit(edgeA!), hit(edgeB!), hit(edgeA!), hit(edgeB!)]);
        }
      })();
      await sleep(300);
      await firstProcessor!.kill();
      await start('processor');
      await load;

      const stored = 'SELECT count(*)::int AS n FROM clicks';
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (await count(stored)) < answered) await sleep(200);
      expect(await count(stored)).toBe(answered);
      expect(await count('SELECT count(DISTINCT click_id)::int AS n FROM clicks')).toBe(answered);
      expect(await count('SELECT sum(clicks)::int AS n FROM click_rollups')).toBe(answered);
      expect(
        log.processors === 1 ? await count('SELECT count(*)::int AS n FROM click_log') : await logCount(),
      ).toBe(answered);

      // Every stored click of the link reached the subscriber, signed; each event was fanned out once
      // however the two dispatchers raced.
      const linkClicks = (
        await rows<{ click_id: string }>(`SELECT click_id FROM clicks WHERE link_id = '${linkId}'`)
      ).map((row) => row.click_id);
      expect(linkClicks.length).toBeGreaterThan(200);
      const verifier = new Webhook(String(subscription.secret));
      const delivered = () =>
        new Set(
          receiver.requests.map(
            (request) =>
              (verifier.verify(request.body, request.headers) as { data: { click: { click_id: string } } })
                .data.click.click_id,
          ),
        );
      const deliveredBy = Date.now() + 30_000;
      while (Date.now() < deliveredBy && delivered().size < linkClicks.length) await sleep(200);
      expect([...delivered()].sort()).toEqual([...linkClicks].sort());
      expect(await count('SELECT count(*)::int AS n FROM webhook_deliveries')).toBe(linkClicks.length);
    }, 180_000);
  },
);
