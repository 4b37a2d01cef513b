import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Served by the API but not operations of it: the document itself and the reference page's assets. */
const UNDOCUMENTED = (url: string) => url === '/openapi.json' || url === '/docs' || url.startsWith('/docs/');

let server: TestServer;
let doc: { openapi: string; paths: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  server = await startTestServer();
  const answer = await apiClient(server.apiUrl, null)<typeof doc>('GET', '/openapi.json');
  expect(answer.status).toBe(200);
  doc = answer.body;
});
afterAll(async () => server?.close());

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 by the specification’s own schema', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const validator = new Validator();
    const result = await validator.validate(doc as Record<string, unknown>);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // And the validator does refuse a document that is not valid: one without `info`.
    const { info: _info, ...withoutInfo } = doc as Record<string, unknown>;
    expect((await new Validator().validate(withoutInfo)).valid).toBe(false);
  });

  it('lists exactly the routes Fastify registered, each with its methods', () => {
    const registered = new Set(
      server.running
        .api!.routes.filter((route) => route.method !== 'HEAD' && !UNDOCUMENTED(route.url))
        .map((route) => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((key) => HTTP_METHODS.has(key))
          .map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    // Sanity: the list is the real one, not an empty set on both sides.
    expect(registered.size).toBeGreaterThan(20);
    expect(
      [...registered].filter((route) => !documented.has(route)),
      'registered but not documented',
    ).toEqual([]);
    expect(
      [...documented].filter((route) => !registered.has(route)),
      'documented but not registered',
    ).toEqual([]);
    for (const route of ['GET /v1/stream/clicks', 'GET /metrics', 'GET /readyz', 'POST /v1/links']) {
      expect(documented.has(route), route).toBe(true);
    }
  });

  it('declares Idempotency-Key on every POST, PATCH and DELETE, and Last-Event-ID on the click stream', () => {
    const headerParams = (path: string, method: string) =>
      ((doc.paths[path]![method] as { parameters?: { in: string; name: string }[] }).parameters ?? [])
        .filter((p) => p.in === 'header')
        .map((p) => p.name.toLowerCase());
    let mutating = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item).filter((m) => ['post', 'patch', 'delete'].includes(m))) {
        expect(headerParams(path, method), `${method} ${path}`).toContain('idempotency-key');
        mutating++;
      }
    }
    expect(mutating).toBeGreaterThan(5);
    expect(headerParams('/v1/stream/clicks', 'get')).toContain('last-event-id');
  });
});
