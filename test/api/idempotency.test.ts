import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlIdempotencyStore } from '../../src/adapters/sql/sql-idempotency-store.js';
import { STORE_FILE } from '../../src/adapters/sqlite/embedded-backend.js';
import { openSqlite } from '../../src/adapters/sqlite/open-sqlite.js';
import { sqliteEngine } from '../../src/adapters/sqlite/sqlite-engine.js';
import { requestFingerprint } from '../../src/idempotency/request-fingerprint.js';
import { apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  type Api,
  createWorkspace,
  expectProblem,
  expectValidation,
  type LinkBody,
  type Page,
} from './api-test-kit.js';

let server: TestServer;
let api: Api;

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.apiUrl, server.adminKey);
});
afterAll(async () => server?.close());

let n = 0;
const newKey = () => `idem-${Date.now()}-${++n}`;
const withKey = (key: string) => ({ headers: { 'idempotency-key': key } });

async function linkCount(client: Api = api): Promise<number> {
  const page = await client<Page<LinkBody>>('GET', '/v1/links?limit=100');
  expect(page.status).toBe(200);
  return page.body.data.length;
}

describe('Idempotency-Key', () => {
  it('the same key and body replays the stored answer instead of doing it again', async () => {
    const key = newKey();
    const before = await linkCount();
    const body = { destination_url: 'https://example.com/once', tags: ['a', 'b'] };
    const first = await api<LinkBody>('POST', '/v1/links', { body, ...withKey(key) });
    expect(first.status, first.text).toBe(201);
    expect(first.headers['idempotency-replayed']).toBeUndefined();

    // The same JSON value, keys in another order: the same request.
    const again = await api<LinkBody>('POST', '/v1/links', {
      rawBody: JSON.stringify({ tags: ['a', 'b'], destination_url: 'https://example.com/once' }),
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
    });
    expect(again.status).toBe(201);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(again.headers.location).toBe(first.headers.location);
    expect(String(again.headers['content-type'])).toBe(String(first.headers['content-type']));
    expect(await linkCount()).toBe(before + 1);
  });

  it('a different body, method or path with a used key is a 422 problem, and nothing is done', async () => {
    const key = newKey();
    const made = await api<LinkBody>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/first' },
      ...withKey(key),
    });
    expect(made.status).toBe(201);
    const before = await linkCount();
    const reused = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/second' },
      ...withKey(key),
    });
    expectProblem(reused, 422, 'CW_ERR_IDEMPOTENCY_KEY_REUSED', 'idempotency-key-reused');
    const elsewhere = await api('PATCH', `/v1/links/${made.body.link_id}`, {
      body: { destination_url: 'https://example.com/first' },
      ...withKey(key),
    });
    expectProblem(elsewhere, 422, 'CW_ERR_IDEMPOTENCY_KEY_REUSED', 'idempotency-key-reused');
    expect(await linkCount()).toBe(before);
    const link = await api<LinkBody>('GET', `/v1/links/${made.body.link_id}`);
    expect(link.body.destination_url).toBe('https://example.com/first');
  });

  it('PATCH and DELETE replay too, problems included', async () => {
    const link = await api<LinkBody>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/p' },
    });
    const patchKey = newKey();
    const patch = { destination_url: 'https://example.com/patched' };
    const patched = await api('PATCH', `/v1/links/${link.body.link_id}`, {
      body: patch,
      ...withKey(patchKey),
    });
    expect(patched.status).toBe(200);
    const replayed = await api('PATCH', `/v1/links/${link.body.link_id}`, {
      body: patch,
      ...withKey(patchKey),
    });
    expect(replayed.status).toBe(200);
    expect(replayed.headers['idempotency-replayed']).toBe('true');
    expect(replayed.text).toBe(patched.text);

    const deleteKey = newKey();
    const deleted = await api('DELETE', `/v1/links/${link.body.link_id}`, withKey(deleteKey));
    expect(deleted.status).toBeLessThan(300);
    const deletedAgain = await api('DELETE', `/v1/links/${link.body.link_id}`, withKey(deleteKey));
    expect(deletedAgain.status).toBe(deleted.status);
    expect(deletedAgain.headers['idempotency-replayed']).toBe('true');
    // Without the key the second delete is a new request, which finds nothing.
    expect((await api('DELETE', `/v1/links/${link.body.link_id}`)).status).toBe(404);
  });

  it('keys belong to a workspace: the same key in another workspace is another request', async () => {
    const other = await createWorkspace(server, 'Idempotency: other workspace');
    const key = newKey();
    const body = { destination_url: 'https://example.com/shared-key' };
    const mine = await api<LinkBody>('POST', '/v1/links', { body, ...withKey(key) });
    const theirs = await other.api<LinkBody>('POST', '/v1/links', { body, ...withKey(key) });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotency-replayed']).toBeUndefined();
    expect(theirs.body.link_id).not.toBe(mine.body.link_id);
    expect(theirs.body.workspace_id).toBe(other.workspaceId);
    // And a different body there does not collide with this workspace's record.
    const different = await other.api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/other-body' },
      ...withKey(newKey()),
    });
    expect(different.status).toBe(201);
  });

  it('concurrent requests with one key: one runs, the others get its answer or 409, never a second link', async () => {
    const key = newKey();
    const before = await linkCount();
    const body = { destination_url: 'https://example.com/race' };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => api<LinkBody>('POST', '/v1/links', { body, ...withKey(key) })),
    );
    const created = answers.filter((a) => a.status === 201);
    const originals = created.filter((a) => a.headers['idempotency-replayed'] === undefined);
    expect(originals).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 201) expect(answer.body.link_id).toBe(originals[0]!.body.link_id);
      else {
        expectProblem(answer, 409, 'CW_ERR_IDEMPOTENCY_IN_PROGRESS', 'idempotency-in-progress');
        expect(answer.headers['retry-after']).toBe('1');
      }
    }
    expect(await linkCount()).toBe(before + 1);
  });

  it('while the first request with a key runs, a retry gets 409 and does nothing; after it, the retry runs', async () => {
    const link = await api<LinkBody>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/busy' },
    });
    const key = newKey();
    // Another API process (here: a second connection to the same store) holds the key for this very request.
    const engine = sqliteEngine(
      openSqlite(path.join(server.dataDir, STORE_FILE), { synchronous: 'NORMAL', autoCheckpoint: true }),
    );
    try {
      const other = new SqlIdempotencyStore(engine);
      const fingerprint = requestFingerprint({
        method: 'DELETE',
        route: '/v1/links/:link_id',
        params: { link_id: link.body.link_id },
        body: undefined,
      });
      const now = Date.now();
      expect(
        await other.begin(server.running.defaultWorkspaceId, key, {
          fingerprint,
          now,
          expiresAt: now + 60_000,
        }),
      ).toEqual({
        kind: 'claimed',
      });
      const busy = await api('DELETE', `/v1/links/${link.body.link_id}`, withKey(key));
      expectProblem(busy, 409, 'CW_ERR_IDEMPOTENCY_IN_PROGRESS', 'idempotency-in-progress');
      expect(busy.headers['retry-after']).toBe('1');
      expect((await api('GET', `/v1/links/${link.body.link_id}`)).status).toBe(200);
      // The holder gives up (its request failed on its side): the key is free for the retry.
      await other.release(server.running.defaultWorkspaceId, key);
    } finally {
      await engine.db.destroy();
    }
    const retried = await api('DELETE', `/v1/links/${link.body.link_id}`, withKey(key));
    expect(retried.status).toBeLessThan(300);
    expect(retried.headers['idempotency-replayed']).toBeUndefined();
    expect((await api('GET', `/v1/links/${link.body.link_id}`)).status).toBe(404);
  });

  it('a request refused by validation is not remembered: the key can be used with a corrected body', async () => {
    const key = newKey();
    expectValidation(
      await api('POST', '/v1/links', { body: { destination_url: 42 }, ...withKey(key) }),
      'body/destination_url',
    );
    const fixed = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/fixed' },
      ...withKey(key),
    });
    expect(fixed.status, fixed.text).toBe(201);
    expect(fixed.headers['idempotency-replayed']).toBeUndefined();
  });

  it('a malformed key is a 400 naming the header; GET ignores the header', async () => {
    expectValidation(
      await api('POST', '/v1/links', {
        body: { destination_url: 'https://example.com/k' },
        headers: { 'idempotency-key': 'x'.repeat(256) },
      }),
      'headers/idempotency-key',
    );
    const list = await api('GET', '/v1/links', withKey('not used on reads'));
    expect(list.status).toBe(200);
    expect(list.headers['idempotency-replayed']).toBeUndefined();
  });
});
