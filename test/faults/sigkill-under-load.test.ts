import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, call } from '../support/api-client.js';
import { type ChildServer, freePort, startChildServer } from '../support/child-server.js';
import { makeTempDir } from '../support/temp-dir.js';
import { faultModes } from './support/fault-modes.js';
import { requestNumberOf, startRedirectLoad } from './support/redirect-load.js';
import { settledClicksOf } from './support/stored-clicks.js';

const KILLS = 20;
const CONCURRENCY = 12;
const RATE_PER_SECOND = 600;

/** Random whole number in [low, high): kills land at different points of the server's life. */
function randomBetween(low: number, high: number): number {
  return low + Math.floor(Math.random() * (high - low));
}

describe.each(faultModes())('20 SIGKILLs under a steady redirect load ($name)', (mode) => {
  const temp = makeTempDir('clickwire-faults-');
  let server: ChildServer | null = null;

  afterAll(async () => {
    await server?.kill();
    await mode.dispose();
    temp.remove();
  });

  it('stores every answered redirect once, nothing it did not receive, and rollups agree', async () => {
    const env = await mode.env();
    const ports = { edge: await freePort(), api: await freePort() };
    server = await startChildServer(temp.dir, env, ports);
    const api = apiClient(server.apiUrl, server.adminKey);
    const link = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/landing', alias: 'faults' },
    });
    expect(link.status, `${link.text}\n${server.stderr()}`).toBe(201);
    const linkId = link.body.link_id;

    const load = startRedirectLoad({
      edgeUrl: server.edgeUrl,
      path: '/faults',
      concurrency: CONCURRENCY,
      ratePerSecond: RATE_PER_SECOND,
    });
    for (let kill = 0; kill < KILLS; kill++) {
      // Let the load reach the server at a random point of its life, then crash it.
      await sleep(randomBetween(150, 900));
      await server.kill();
      server = await startChildServer(temp.dir, env, ports);
    }
    await sleep(500);
    await load.stop();

    expect(load.otherAnswers, 'answers other than 302').toEqual(new Map());
    expect(load.redirected.size).toBeGreaterThan(KILLS * 10);

    const stored = await settledClicksOf(server.apiUrl, server.adminKey, linkId, {
      atLeast: load.redirected.size,
    });
    const ids = new Set(stored.map((click) => click.click_id));
    expect(ids.size, 'duplicate click_id').toBe(stored.length);

    const storedRequests = stored.map((click) => requestNumberOf(click.referrer_host));
    expect(storedRequests.includes(null), 'a stored click the load did not send').toBe(false);
    const storedSet = new Set(storedRequests as number[]);
    expect(storedSet.size, 'one request stored twice').toBe(stored.length);

    const lost = [...load.redirected].filter((n) => !storedSet.has(n));
    expect(lost, 'answered with a redirect but not stored').toEqual([]);
    // A request cut off by the crash may have been recorded before its answer went out; nothing
    // else may be stored besides the answered ones.
    const extra = [...storedSet].filter((n) => !load.redirected.has(n));
    expect(
      extra.filter((n) => !load.unanswered.has(n)),
      'stored but neither answered nor cut off',
    ).toEqual([]);

    const analytics = await call<{ totals: { clicks: number } }>(
      server.apiUrl,
      'GET',
      `/v1/analytics/clicks/daily?link_id=${linkId}&include_bots=true`,
      { key: server.adminKey },
    );
    expect(analytics.status).toBe(200);
    expect(analytics.body.totals.clicks, 'rollup total against stored clicks').toBe(stored.length);

    console.info(
      `[faults:${mode.name}] ${KILLS} kills: ${load.redirected.size} redirects answered, ` +
        `${load.unanswered.size} requests cut off or refused, ${stored.length} clicks stored ` +
        `(${extra.length} of them cut off before their answer)`,
    );
  });
});
