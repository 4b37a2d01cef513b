import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  type Api,
  BEARER_CHALLENGE,
  createKey,
  createLink,
  expectForbidden,
  expectMalformedJson,
  expectProblem,
  expectUnauthenticated,
  expectValidation,
  INVALID_TOKEN_CHALLENGE,
  type LinkBody,
  type ProblemBody,
  UNKNOWN_IDS,
} from './api-test-kit.js';

/** Cross-cutting behaviour: every error is an RFC 9457 problem, whatever route or layer produced it. */

let server: TestServer;
let api: Api;
let link: LinkBody;
let readOnlyKey: string;

/** Each mutating route with a body that would be accepted. */
const MUTATIONS: (() => [string, string, unknown])[] = [
  () => ['POST', '/v1/links', { destination_url: 'https://example.com/' }],
  () => ['PATCH', `/v1/links/${link.link_id}`, { channel: 'x' }],
  () => ['POST', '/v1/domains', { hostname: 'errors.example.test' }],
  () => ['POST', '/v1/api-keys', { name: 'k', scopes: ['links:read'] }],
  () => ['POST', '/v1/workspaces', { name: 'w' }],
];

const expectUnsupportedMediaType = (answer: Parameters<typeof expectProblem>[0]) =>
  expectProblem(answer, 415, 'CW_ERR_UNSUPPORTED_MEDIA_TYPE', 'unsupported-media-type');
const expectTooLarge = (answer: Parameters<typeof expectProblem>[0]) =>
  expectProblem(answer, 413, 'CW_ERR_PAYLOAD_TOO_LARGE', 'payload-too-large');
const expectRouteNotFound = (answer: Parameters<typeof expectProblem>[0]) =>
  expectProblem(answer, 404, 'CW_ERR_ROUTE_NOT_FOUND', 'route-not-found');

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.apiUrl, server.adminKey);
  link = await createLink(api, { destination_url: 'https://example.com/errors', alias: 'errors' });
  readOnlyKey = (await createKey(api, ['links:read'])).key;
});
afterAll(async () => server?.close());

describe('415 for a body that is not JSON', () => {
  const contentTypes = [
    'text/plain',
    'text/plain; charset=utf-8',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
  ];

  it.each(contentTypes)('%s, on every route that takes a body', async (contentType) => {
    for (const make of MUTATIONS) {
      const [method, path, body] = make();
      const answer = await api(method, path, {
        rawBody: JSON.stringify(body),
        headers: { 'content-type': contentType },
      });
      expectUnsupportedMediaType(answer);
    }
  });

  it('a body without any content type', async () => {
    for (const make of MUTATIONS) {
      const [method, path, body] = make();
      expectUnsupportedMediaType(await api(method, path, { rawBody: JSON.stringify(body) }));
    }
  });

  it('changes nothing', async () => {
    await api('PATCH', `/v1/links/${link.link_id}`, {
      rawBody: JSON.stringify({ destination_url: 'https://evil.example/' }),
      headers: { 'content-type': 'text/plain' },
    });
    expect((await api<LinkBody>('GET', `/v1/links/${link.link_id}`)).body).toEqual(link);
  });

  it('accepts application/json with a charset and in any letter case', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'Application/JSON']) {
      const answer = await api('POST', '/v1/links', {
        rawBody: JSON.stringify({ destination_url: 'https://example.com/ct' }),
        headers: { 'content-type': contentType },
      });
      expect(answer.status, contentType).toBe(201);
    }
  });
});

describe('413 for a body over the limit (1 MiB by default)', () => {
  const huge = 'x'.repeat(1_100_000);

  it('on every route that takes a body', async () => {
    for (const make of MUTATIONS) {
      const [method, path, body] = make();
      const answer = await api(method, path, { body: { ...(body as object), padding: huge } });
      expectTooLarge(answer);
    }
  });

  it('also when the body is not even JSON', async () => {
    expectTooLarge(
      await api('POST', '/v1/links', {
        rawBody: `{${huge}`,
        headers: { 'content-type': 'application/json' },
      }),
    );
  });
});

describe('400 for malformed JSON', () => {
  it.each([
    ['a truncated object', '{"destination_url": "https://example.com/"'],
    ['a trailing comma', '{"destination_url": "https://example.com/",}'],
    ['single quotes', "{'destination_url': 'https://example.com/'}"],
    ['unquoted keys', '{destination_url: "https://example.com/"}'],
    ['garbage after the object', '{"destination_url": "https://example.com/"} trailing'],
    ['not JSON at all', 'destination_url=https://example.com/'],
    ['an empty body', ''],
  ])('%s', async (_label, rawBody) => {
    for (const make of MUTATIONS) {
      const [method, path] = make();
      expectMalformedJson(
        await api(method, path, { rawBody, headers: { 'content-type': 'application/json' } }),
      );
    }
  });

  it.each([
    [
      '__proto__',
      '{"destination_url": "https://example.com/", "__proto__": {"admin": true}}',
      'body/__proto__',
    ],
    [
      'constructor.prototype',
      '{"destination_url": "https://example.com/", "constructor": {"prototype": {"admin": true}}}',
      'body/constructor/prototype',
    ],
    [
      'a nested __proto__',
      '{"destination_url": "https://example.com/", "tags": [{"__proto__": {}}]}',
      'body/tags/0/__proto__',
    ],
    [
      'an escaped __proto__',
      '{"destination_url": "https://example.com/", "__pro\\u0074o__": {}}',
      'body/__proto__',
    ],
  ])(
    'a body smuggling %s is refused as a key that is not allowed, not as bad JSON',
    async (_label, rawBody, field) => {
      for (const make of MUTATIONS) {
        const [method, path] = make();
        const answer = await api(method, path, { rawBody, headers: { 'content-type': 'application/json' } });
        const problem = expectValidation(answer, field);
        expect(problem.errors).toHaveLength(1);
        expect(problem.detail).toMatch(new RegExp(`^${field} is not allowed`));
        expect(problem.detail).not.toMatch(/JSON/);
      }
    },
  );

  it('a key named constructor without a prototype is just an unknown field', async () => {
    const answer = await api('POST', '/v1/links', {
      rawBody: '{"destination_url": "https://example.com/", "constructor": {"name": "x"}}',
      headers: { 'content-type': 'application/json' },
    });
    expectValidation(answer, 'body/constructor');
  });

  it('a smuggling body changes nothing', async () => {
    const before = await api<{ data: LinkBody[] }>('GET', '/v1/links?limit=100');
    await api('POST', '/v1/links', {
      rawBody: '{"destination_url": "https://example.com/smuggled", "__proto__": {"disabled": true}}',
      headers: { 'content-type': 'application/json' },
    });
    const after = await api<{ data: LinkBody[] }>('GET', '/v1/links?limit=100');
    expect(after.body.data.map((l) => l.link_id)).toEqual(before.body.data.map((l) => l.link_id));
  });
});

describe('the order of checks: who you are before what you sent', () => {
  it('401 for a request without a key, however broken its body', async () => {
    expectUnauthenticated(
      await api('POST', '/v1/links', {
        key: null,
        rawBody: '{broken',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expectUnauthenticated(
      await api('POST', '/v1/links', {
        key: null,
        rawBody: 'text',
        headers: { 'content-type': 'text/plain' },
      }),
    );
    expectUnauthenticated(await api('POST', '/v1/links', { key: null, body: { nope: 1 } }));
    expectUnauthenticated(
      await api('POST', '/v1/links', { key: null, body: { destination_url: 'x'.repeat(1_100_000) } }),
    );
  });

  it('401, not 404 or 400, for an unknown or malformed id without a key', async () => {
    expectUnauthenticated(await api('GET', `/v1/links/${UNKNOWN_IDS.link}`, { key: null }));
    expectUnauthenticated(await api('GET', '/v1/links/not-an-id', { key: null }));
    expectUnauthenticated(await api('DELETE', `/v1/domains/${UNKNOWN_IDS.domain}`, { key: null }));
  });

  it('403 for a key without the scope, however broken its body', async () => {
    expectForbidden(
      await api('POST', '/v1/links', {
        key: readOnlyKey,
        rawBody: '{broken',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expectForbidden(await api('POST', '/v1/links', { key: readOnlyKey, body: { nope: 1 } }));
    expectForbidden(await api('DELETE', `/v1/links/${UNKNOWN_IDS.link}`, { key: readOnlyKey }));
    expectForbidden(await api('DELETE', '/v1/links/not-an-id', { key: readOnlyKey }));
  });

  it('accepts the Bearer scheme in any letter case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const answer = await api('GET', '/v1/links', {
        key: null,
        headers: { authorization: `${scheme} ${server.adminKey}` },
      });
      expect(answer.status, scheme).toBe(200);
    }
  });
});

describe('401 answers carry a Bearer challenge (RFC 6750)', () => {
  it('only the realm without a key, or without one in the Bearer form', async () => {
    expectUnauthenticated(await api('GET', '/v1/links', { key: null }), BEARER_CHALLENGE);
    for (const authorization of [
      `Basic ${Buffer.from(`user:${server.adminKey}`).toString('base64')}`,
      server.adminKey,
      'Bearer',
      '',
    ]) {
      const answer = await api('GET', '/v1/links', { key: null, headers: { authorization } });
      expectUnauthenticated(answer, BEARER_CHALLENGE);
    }
  });

  it('error="invalid_token" for a bearer key that was never issued', async () => {
    const answer = await api('GET', '/v1/links', { key: 'cw_live_this_key_was_never_issued_0000000000' });
    expectUnauthenticated(answer, INVALID_TOKEN_CHALLENGE);
  });

  it('error="invalid_token" for a revoked key, also on a route that takes a body', async () => {
    const { key, keyId } = await createKey(api, ['links:write'], 'revoked for the challenge');
    expect((await api('DELETE', `/v1/api-keys/${keyId}`)).status).toBe(204);
    expectUnauthenticated(await api('GET', '/v1/links', { key }), INVALID_TOKEN_CHALLENGE);
    expectUnauthenticated(
      await api('POST', '/v1/links', {
        key,
        rawBody: '{broken',
        headers: { 'content-type': 'application/json' },
      }),
      INVALID_TOKEN_CHALLENGE,
    );
  });

  it('no challenge on answers that are not 401', async () => {
    expect((await api('GET', '/v1/links')).headers['www-authenticate']).toBeUndefined();
    const forbidden = await api('GET', '/v1/api-keys', { key: readOnlyKey });
    expectForbidden(forbidden);
    expect(forbidden.headers['www-authenticate']).toBeUndefined();
    expect((await api('GET', '/healthz', { key: null })).headers['www-authenticate']).toBeUndefined();
  });
});

describe('every list refuses unknown query parameters the same way', () => {
  it.each(['/v1/links', '/v1/domains', '/v1/api-keys', '/v1/workspaces'])('%s', async (path) => {
    expect((await api('GET', path)).status).toBe(200);
    const answer = await api('GET', `${path}?colour=red`);
    const problem = expectValidation(answer, 'querystring/colour');
    expect(problem.errors).toEqual([{ field: 'querystring/colour', message: 'is not a known field' }]);
    expect(problem.detail).toBe('querystring/colour is not a known field');
  });
});

describe('405 with Allow for a method the route does not take', () => {
  it.each([
    ['PUT', '/v1/links', 'GET, HEAD, POST'],
    ['DELETE', '/v1/links', 'GET, HEAD, POST'],
    ['POST', `/v1/links/${UNKNOWN_IDS.link}`, 'DELETE, GET, HEAD, PATCH'],
    ['PUT', `/v1/links/${UNKNOWN_IDS.link}`, 'DELETE, GET, HEAD, PATCH'],
    ['PATCH', '/v1/domains', 'GET, HEAD, POST'],
    ['PATCH', `/v1/domains/${UNKNOWN_IDS.domain}`, 'DELETE, GET, HEAD'],
    ['PATCH', '/v1/api-keys', 'GET, HEAD, POST'],
    ['GET', `/v1/api-keys/${UNKNOWN_IDS.apiKey}`, 'DELETE'],
    ['DELETE', '/v1/workspaces', 'GET, HEAD, POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['DELETE', '/readyz', 'GET, HEAD'],
    ['POST', '/openapi.json', 'GET, HEAD'],
  ])('%s %s', async (method, path, allow) => {
    const answer = await api(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: {} });
    expectProblem(answer, 405, 'CW_ERR_METHOD_NOT_ALLOWED', 'method-not-allowed');
    expect(answer.headers.allow).toBe(allow);
  });
});

describe('404 route-not-found for unknown routes', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/v1'],
    ['GET', '/v1/no-such-resource'],
    ['POST', '/v1/no-such-resource'],
    ['GET', '/v2/links'],
    ['GET', '/v1/LINKS'],
    ['GET', `/v1/links/${UNKNOWN_IDS.link}/clicks-that-do-not-exist`],
    ['GET', '/v1/links//x'],
    ['GET', '/errors'],
  ])('%s %s', async (method, path) => {
    expectRouteNotFound(await api(method, path));
  });

  it('also for an unknown route without a key', async () => {
    expectRouteNotFound(await api('GET', '/v1/no-such-resource', { key: null }));
  });

  it('a trailing slash on a list route is not a route, and is not called a wrong method', async () => {
    for (const path of ['/v1/api-keys/', '/v1/workspaces/', '/healthz/']) {
      expectRouteNotFound(await api('GET', path));
    }
  });
});

describe('errors from before routing are problems too', () => {
  it('400 for a URL with broken percent-encoding', async () => {
    expectValidation(await api('GET', '/v1/links/%E0%A4%A'));
  });

  it('400 for a path parameter longer than any id', async () => {
    expectValidation(await api('GET', `/v1/links/lnk_${'A'.repeat(200)}`));
  });
});

describe('every problem', () => {
  it('has its own request id, is not cached, and shows no internals', async () => {
    const answers = [
      await api('GET', '/v1/links', { key: null }),
      await api('GET', '/v1/links', { key: null }),
      await api('GET', '/v1/api-keys', { key: readOnlyKey }),
      await api('GET', `/v1/links/${UNKNOWN_IDS.link}`),
      await api('GET', '/v1/links/nope'),
      await api('POST', '/v1/links', { rawBody: '{', headers: { 'content-type': 'application/json' } }),
      await api('POST', '/v1/links', { body: { destination_url: 'javascript:alert(1)' } }),
      await api('POST', '/v1/links', { body: { destination_url: 'https://example.com/', alias: 'errors' } }),
      await api('PUT', '/v1/links'),
      await api('GET', '/v1/nothing-here'),
    ];
    const ids = new Set<string>();
    for (const answer of answers) {
      expect(String(answer.headers['content-type'])).toMatch(/^application\/problem\+json/);
      const problem = answer.body as ProblemBody;
      expect(problem.status).toBe(answer.status);
      expect(problem.request_id).toMatch(/^req_[0-9a-f]{16}$/);
      ids.add(problem.request_id);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.text).not.toMatch(/node_modules|\.ts:\d+|at [A-Za-z.]+ \(|SQLITE|stack/i);
    }
    expect(ids.size).toBe(answers.length);
  });

  it('names fields in one style, whichever layer found the problem', async () => {
    const fieldsOf = (answer: Parameters<typeof expectProblem>[0]) =>
      ((answer.body as ProblemBody).errors ?? []).map((error) => error.field);
    // The schema, on the body.
    const schema = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', x: 1 },
    });
    expect(fieldsOf(schema)).toEqual(['body/x']);
    // The link service, which knows nothing of HTTP: its detail names the field the same way.
    const reserved = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'v1' },
    });
    expect(fieldsOf(reserved)).toEqual(['body/alias']);
    expect((reserved.body as ProblemBody).detail).toMatch(/^body\/alias: /);
    const unsafe = await api('POST', '/v1/links', { body: { destination_url: 'javascript:alert(1)' } });
    expect(fieldsOf(unsafe)).toEqual(['body/destination_url']);
    expect((unsafe.body as ProblemBody).detail).toMatch(/^body\/destination_url: /);
    // The store: a unique alias clash.
    const taken = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'errors' },
    });
    expect(fieldsOf(taken)).toEqual(['body/alias']);
    // The store: a hostname already registered.
    await api('POST', '/v1/domains', { body: { hostname: 'fields.example.test' } });
    const hostname = await api('POST', '/v1/domains', { body: { hostname: 'fields.example.test' } });
    expectProblem(hostname, 409, 'CW_ERR_HOSTNAME_TAKEN', 'hostname-taken', 'body/hostname');
    expect(fieldsOf(hostname)).toEqual(['body/hostname']);
    // The query string and the path, by the schema and by the cursor codec.
    expect(fieldsOf(await api('GET', '/v1/links?limit=0'))).toEqual(['querystring/limit']);
    expect(fieldsOf(await api('GET', '/v1/links?cursor=forged.cursor'))).toEqual(['querystring/cursor']);
    expect(fieldsOf(await api('GET', '/v1/links/nope'))).toEqual(['params/link_id']);
  });

  it('names the offending fields, one entry each, in errors[]', async () => {
    const answer = await api('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/', alias: 'no spaces' },
    });
    const problem = expectValidation(answer, 'body/alias');
    for (const error of problem.errors ?? []) {
      expect(typeof error.field).toBe('string');
      expect(typeof error.message).toBe('string');
      expect(error.message.length).toBeGreaterThan(0);
    }
    expect(problem.detail).toContain('body/alias');
  });
});
