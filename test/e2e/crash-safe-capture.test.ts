import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { type ChildServer, startChildServer } from '../support/child-server.js';
import { makeTempDir } from '../support/temp-dir.js';

/** A loopback address used only by this test's clients, so finding it on disk can only mean a leak. */
const CLIENT_IP = '127.0.0.77';
const REDIRECTS = 400;
const CONCURRENCY = 25;

describe('crash-safe capture (SIGKILL)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let server: ChildServer | null = null;

  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    await server?.kill();
    temp.remove();
  });

  it('keeps exactly the clicks whose redirect was answered, and no client address', async () => {
    server = await startChildServer(temp.dir);
    const api = apiClient(server.apiUrl, server.adminKey);
    const link = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'crash' },
    });
    expect(link.status).toBe(201);

    let redirected = 0;
    let next = 0;
    const edgeUrl = server.edgeUrl;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REDIRECTS) {
          next++;
          const answer = await click(edgeUrl, '/crash', { from: CLIENT_IP });
          if (answer.status === 302) redirected++;
        }
      }),
    );
    // Crash right after the last answer: nothing gets a chance to flush or checkpoint.
    await server.kill();
    expect(redirected).toBe(REDIRECTS);

    // The restart must come up on the crashed files (WAL recovery) and keep serving.
    server = await startChildServer(temp.dir);
    expect((await click(server.edgeUrl, '/crash', { from: CLIENT_IP })).status).toBe(302);
    await server.terminate();
    server = null;

    const log = new Database(path.join(temp.dir, 'clicklog.db'), { readonly: true });
    const { total, unique_ids: distinct } = log
      .prepare(
        "SELECT count(*) AS total, count(DISTINCT click_id) AS unique_ids FROM raw_clicks WHERE slug = 'crash'",
      )
      .get() as { total: number; unique_ids: number };
    log.close();
    expect(total).toBe(REDIRECTS + 1);
    expect(distinct).toBe(total);

    for (const file of fs.readdirSync(temp.dir)) {
      const bytes = fs.readFileSync(path.join(temp.dir, file));
      expect(bytes.includes(CLIENT_IP), `${file} holds the client address`).toBe(false);
    }
  });

  it('never answers a redirect it has not recorded, when killed in the middle of a load', async () => {
    server = await startChildServer(temp.dir);
    const api = apiClient(server.apiUrl, server.adminKey);
    await api('POST', '/v1/links', { body: { destination_url: 'https://example.com/', alias: 'midload' } });

    let sent = 0;
    let redirected = 0;
    let stop = false;
    const edgeUrl = server.edgeUrl;
    const load = Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (!stop) {
          sent++;
          try {
            if ((await click(edgeUrl, '/midload', { from: CLIENT_IP })).status === 302) redirected++;
          } catch {
            return; // the connection died with the server: this request got no answer
          }
        }
      }),
    );
    while (redirected < 300) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.kill();
    stop = true;
    await load;
    server = null;

    const log = new Database(path.join(temp.dir, 'clicklog.db'), { readonly: true });
    const { total } = log
      .prepare("SELECT count(*) AS total FROM raw_clicks WHERE slug = 'midload'")
      .get() as {
      total: number;
    };
    log.close();
    // Every answered redirect is in the log; at most the requests in flight at the kill are extra.
    expect(total).toBeGreaterThanOrEqual(redirected);
    expect(total).toBeLessThanOrEqual(sent);
  });

  it('drains on SIGTERM: in-flight redirects are answered and recorded, then it exits 0', async () => {
    server = await startChildServer(temp.dir);
    const api = apiClient(server.apiUrl, server.adminKey);
    await api('POST', '/v1/links', { body: { destination_url: 'https://example.com/', alias: 'drain' } });
    const edgeUrl = server.edgeUrl;
    const inFlight = Array.from({ length: 50 }, () =>
      click(edgeUrl, '/drain', { from: CLIENT_IP }).catch(() => null),
    );
    const exitCode = await server.terminate();
    const answers = await Promise.all(inFlight);
    server = null;
    expect(exitCode).toBe(0);
    const redirected = answers.filter((answer) => answer?.status === 302).length;

    const log = new Database(path.join(temp.dir, 'clicklog.db'), { readonly: true });
    const { total } = log.prepare("SELECT count(*) AS total FROM raw_clicks WHERE slug = 'drain'").get() as {
      total: number;
    };
    log.close();
    expect(total).toBe(redirected);
  });
});
