import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, click } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Api, BAD_AUTHORIZATIONS, expectProblem, UNKNOWN_IDS } from './api-test-kit.js';

interface OpenApiOperation {
  readonly responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  readonly security?: unknown[];
  readonly requestBody?: { content: Record<string, unknown> };
  readonly parameters?: { name: string; in: string }[];
}
interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { title: string; version: string };
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: {
    securitySchemes: Record<string, { type: string; scheme?: string }>;
    schemas: Record<string, unknown>;
  };
  readonly security: Record<string, unknown[]>[];
}

/** Every /v1 route that exists today, as OpenAPI writes it. */
const V1_OPERATIONS: Record<string, string[]> = {
  '/v1/workspaces': ['get', 'post'],
  '/v1/api-keys': ['get', 'post'],
  '/v1/api-keys/{key_id}': ['delete'],
  '/v1/domains': ['get', 'post'],
  '/v1/domains/{domain_id}': ['delete', 'get'],
  '/v1/links': ['get', 'post'],
  '/v1/links/{link_id}': ['delete', 'get', 'patch'],
  '/v1/workspace': ['get', 'patch'],
  '/v1/clicks': ['get'],
  '/v1/clicks/{click_id}': ['get'],
  '/v1/clicks/simulate': ['post'],
  '/v1/analytics/clicks/daily': ['get'],
  '/v1/analytics/clicks/hourly': ['get'],
  '/v1/analytics/clicks/by-country': ['get'],
  '/v1/analytics/clicks/by-device': ['get'],
  '/v1/analytics/clicks/by-referrer': ['get'],
  '/v1/analytics/clicks/top-links': ['get'],
  '/v1/events': ['get'],
  '/v1/events/{event_id}': ['get'],
  '/v1/stream/clicks': ['get'],
  '/v1/webhook-subscriptions': ['get', 'post'],
  '/v1/webhook-subscriptions/{subscription_id}': ['delete', 'get', 'patch'],
  '/v1/webhook-subscriptions/{subscription_id}/rotate-secret': ['post'],
  '/v1/webhook-subscriptions/{subscription_id}/test': ['post'],
  '/v1/webhook-subscriptions/{subscription_id}/resume': ['post'],
  '/v1/webhook-subscriptions/{subscription_id}/events': ['get'],
  '/v1/webhook-subscriptions/{subscription_id}/health': ['get'],
  '/v1/webhook-subscriptions/{subscription_id}/replays': ['get'],
  '/v1/webhook-deliveries': ['get'],
  '/v1/webhook-deliveries/{delivery_id}': ['get'],
  '/v1/webhook-deliveries/replay': ['post'],
  '/v1/workspace/settings': ['get', 'patch'],
  '/v1/privacy/erasure-requests': ['post'],
  '/v1/privacy/erasure-requests/{erasure_request_id}': ['get'],
  '/v1/exports/clicks': ['get'],
};

const SAMPLE_IDS: Record<string, string> = {
  key_id: UNKNOWN_IDS.apiKey,
  domain_id: UNKNOWN_IDS.domain,
  link_id: UNKNOWN_IDS.link,
  click_id: 'clk_01E0000000000000000000000A',
  event_id: 'evt_01E0000000000000000000000A',
  subscription_id: 'sub_01E0000000000000000000000A',
  delivery_id: 'dlv_01E0000000000000000000000A',
  erasure_request_id: 'era_01E0000000000000000000000A',
};

let server: TestServer;
/** No key at all: everything in this file but the /v1 checks is public. */
let anonymous: Api;

beforeAll(async () => {
  server = await startTestServer();
  anonymous = apiClient(server.apiUrl, null);
});
afterAll(async () => server?.close());

describe('/healthz and /readyz', () => {
  it('/healthz answers 200 {status: ok} without a key', async () => {
    const answer = await anonymous('GET', '/healthz');
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 {status: ready} when the store answers and every stage runs', async () => {
    const answer = await anonymous<{ status: string; stages: Record<string, string> }>('GET', '/readyz');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ready');
    expect(Object.values(answer.body.stages).every((state) => state === 'running')).toBe(true);
  });

  it('both answer HEAD, and ignore whatever Authorization is sent', async () => {
    for (const path of ['/healthz', '/readyz']) {
      expect((await anonymous('HEAD', path)).status).toBe(200);
      for (const [, authorization] of BAD_AUTHORIZATIONS) {
        expect((await anonymous('GET', path, { headers: { authorization } })).status).toBe(200);
      }
    }
  });

  it('the edge has its own /healthz, which is not recorded as a click', async () => {
    const answer = await click(server.edgeUrl, '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('ok\n');
  });
});

describe('/openapi.json', () => {
  let doc: OpenApiDocument;
  beforeAll(async () => {
    const answer = await anonymous<OpenApiDocument>('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
    doc = answer.body;
  });

  it('is an OpenAPI 3.1 document, served without a key', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('Clickwire API');
    expect(typeof doc.info.version).toBe('string');
  });

  it('lists every /v1 path with every method it takes, and nothing under /v1 that is not there', () => {
    const documented: Record<string, string[]> = {};
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (path.startsWith('/v1/')) documented[path] = Object.keys(operations).sort();
    }
    expect(documented).toEqual(V1_OPERATIONS);
  });

  it('declares bearer authentication, and /v1 operations answer 401 and 403 with problems', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toContainEqual({ bearerAuth: [] });
    for (const [path, methods] of Object.entries(V1_OPERATIONS)) {
      for (const method of methods) {
        const operation = doc.paths[path]![method]!;
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(['400', '401', '403']),
        );
        expect(
          Object.keys(operation.responses).some((status) => /^2\d\d$/.test(status)),
          `${method} ${path}`,
        ).toBe(true);
        expect(operation.security, `${method} ${path} must not opt out of authentication`).not.toEqual([]);
      }
    }
  });

  it('describes request bodies and path parameters', () => {
    for (const [path, method] of [
      ['/v1/links', 'post'],
      ['/v1/links/{link_id}', 'patch'],
      ['/v1/domains', 'post'],
      ['/v1/api-keys', 'post'],
      ['/v1/workspaces', 'post'],
    ] as const) {
      expect(
        Object.keys(doc.paths[path]![method]!.requestBody?.content ?? {}),
        `${method} ${path}`,
      ).toContain('application/json');
    }
    for (const [path, name] of [
      ['/v1/links/{link_id}', 'link_id'],
      ['/v1/domains/{domain_id}', 'domain_id'],
      ['/v1/api-keys/{key_id}', 'key_id'],
    ] as const) {
      for (const operation of Object.values(doc.paths[path]!)) {
        expect(operation.parameters).toContainEqual(expect.objectContaining({ name, in: 'path' }));
      }
    }
  });

  it('resolves every $ref inside the document', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas, ref).toHaveProperty(ref.slice('#/components/schemas/'.length));
    }
    expect(doc.components.schemas).toHaveProperty('Problem');
  });

  it('matches the routes that really exist: each documented operation asks for a key', async () => {
    for (const [path, methods] of Object.entries(V1_OPERATIONS)) {
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_IDS[name]!);
      for (const method of methods) {
        const answer = await anonymous(
          method.toUpperCase(),
          concrete,
          method === 'post' || method === 'patch' ? { body: {} } : {},
        );
        expectProblem(answer, 401, 'CW_ERR_UNAUTHENTICATED', 'unauthenticated');
      }
    }
  });
});

describe('/docs', () => {
  it('serves the reference page to a browser, which sends no key', async () => {
    const answer = await anonymous('GET', '/docs');
    expect(answer.status).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^text\/html/);
    expect(answer.text).toMatch(/<html/i);
  });

  it('serves the page’s own assets and the document it renders without a key', async () => {
    const page = await anonymous('GET', '/docs/');
    expect(page.status).toBe(200);
    const assets = [...page.text.matchAll(/(?:href|src)="\.\/(static\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const answer = await anonymous('GET', `/docs/${asset}`);
      expect(answer.status, asset).toBe(200);
    }
    const json = await anonymous<{ openapi: string }>('GET', '/docs/json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\.1\./);
  });

  it('an unknown asset under /docs is a 404 problem, neither 401 nor 405', async () => {
    const answer = await anonymous('GET', '/docs/static/no-such-file.js');
    expectProblem(answer, 404, 'CW_ERR_ROUTE_NOT_FOUND', 'route-not-found');
  });
});
