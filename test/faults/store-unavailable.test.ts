import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { type ChildServer, startChildServer } from '../support/child-server.js';
import { makeTempDir } from '../support/temp-dir.js';
import { faultModes } from './support/fault-modes.js';
import { requestNumberOf, startRedirectLoad } from './support/redirect-load.js';
import { settledClicksOf } from './support/stored-clicks.js';

/** Longer than the store's busy timeout (5 s), so the server's writers see real errors, not a wait. */
const OUTAGE_MS = 8_000;

describe.each(faultModes())('the store unavailable for a while ($name)', (mode) => {
  const temp = makeTempDir('clickwire-store-down-');
  let server: ChildServer | null = null;

  afterAll(async () => {
    await server?.kill();
    await mode.dispose();
    temp.remove();
  });

  it('keeps answering redirects of cached links and loses no accepted click', async () => {
    server = await startChildServer(temp.dir, await mode.env());
    const api = apiClient(server.apiUrl, server.adminKey);
    const link = await api<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'storedown' },
    });
    expect(link.status).toBe(201);
    // One redirect puts the link in the edge's cache, as any link in use is.
    expect((await click(server.edgeUrl, '/storedown')).status).toBe(302);

    const load = startRedirectLoad({
      edgeUrl: server.edgeUrl,
      path: '/storedown',
      concurrency: 8,
      ratePerSecond: 300,
    });
    await sleep(1_000);
    const before = load.redirected.size;
    await mode.withStoreDown(temp.dir, OUTAGE_MS);
    const during = load.redirected.size - before;
    await sleep(2_000);
    await load.stop();

    // The decision (docs/faults.md): the edge needs only its link cache and the click log, so a
    // store outage does not reach redirects at all. Nothing else may be answered.
    expect(load.otherAnswers, 'answers other than 302').toEqual(new Map());
    expect(
      load.unanswered.size,
      `requests left without an answer: ${JSON.stringify(Object.fromEntries(load.failures))}\nexit ${server.process.exitCode} signal ${server.process.signalCode}\n${server.stderr().slice(-3000)}`,
    ).toBe(0);
    expect(during, 'redirects answered while the store was down').toBeGreaterThan(0);

    // The processor waited the outage out and caught up: every answered redirect stored once.
    const stored = await settledClicksOf(server.apiUrl, server.adminKey, link.body.link_id, {
      atLeast: load.redirected.size + 1,
    });
    const numbers = stored.map((click) => requestNumberOf(click.referrer_host)).filter((n) => n !== null);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(
      [...load.redirected].filter((n) => !numbers.includes(n)),
      'answered but not stored',
    ).toEqual([]);
    expect(stored.length).toBe(load.redirected.size + 1);
    expect(new Set(stored.map((click) => click.click_id)).size).toBe(stored.length);

    // And the server is still whole: the API and the edge answer.
    expect((await api('GET', '/readyz')).status).toBe(200);
    console.info(
      `[faults:${mode.name}] store down ${OUTAGE_MS} ms: ${during} redirects answered meanwhile, ` +
        `${stored.length} clicks stored in all`,
    );
  });
});
