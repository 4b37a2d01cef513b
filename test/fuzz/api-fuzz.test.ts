import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  assertProperty,
  encodePart,
  hostileBody,
  hostileHeaderValue,
  hostileJsonValue,
  hostileString,
} from './support/hostile.js';
import { type RawAnswer, rawRequest, sendRaw } from './support/raw-http.js';

const RUNS_PER_ROUTE = Number(process.env.CLICKWIRE_FUZZ_RUNS ?? 40);

interface Operation {
  readonly method: string;
  readonly template: string;
  readonly queryNames: readonly string[];
  readonly bodyFields: readonly string[];
  /** Answers with a stream that stays open (Server-Sent Events): judged by its head. */
  readonly streams: boolean;
}

type OpenApiDocument = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string }[];
        responses?: Record<string, { content?: Record<string, unknown> }>;
        requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
      }
    >
  >;
};

/** Every operation the API documents: the fuzz follows the OpenAPI document, so no route escapes it. */
function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        template,
        queryNames: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: Object.keys(schema?.properties ?? {}),
        streams: Object.values(operation.responses ?? {}).some(
          (response) => response.content?.['text/event-stream'] !== undefined,
        ),
      });
    }
  }
  return operations;
}

/** A request for one operation with every part open to abuse. */
function hostileRequest(operation: Operation, adminKey: string) {
  return fc
    .record({
      params: fc.array(fc.tuple(hostileString, fc.boolean()), { minLength: 4, maxLength: 4 }),
      query: fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(...(operation.queryNames.length ? operation.queryNames : ['x'])),
            hostileString,
          ),
          hostileString,
          fc.boolean(),
        ),
        { maxLength: 5 },
      ),
      auth: fc.oneof(
        {
          weight: 6,
          arbitrary: fc.constant<readonly (readonly [string, Buffer | string])[]>([
            ['authorization', `Bearer ${adminKey}`],
          ]),
        },
        { weight: 1, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: hostileHeaderValue.map((value) => [['authorization', value] as const]) },
        {
          weight: 1,
          arbitrary: fc.constant([
            ['authorization', `Bearer ${adminKey}`],
            ['authorization', 'Bearer cw_live_other'],
          ] as const),
        },
      ),
      extraHeaders: fc.array(
        fc.tuple(
          fc.constantFrom('x-fuzz', 'accept', 'idempotency-key', 'last-event-id', 'content-type', 'cookie'),
          hostileHeaderValue,
        ),
        {
          maxLength: 3,
        },
      ),
      body: fc.oneof(
        fc
          .dictionary(
            fc.oneof(
              fc.constantFrom(...(operation.bodyFields.length ? operation.bodyFields : ['x'])),
              hostileString,
            ),
            hostileJsonValue,
            { maxKeys: 6 },
          )
          .map((value) => Buffer.from(JSON.stringify(value))),
        hostileBody,
      ),
      contentType: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        '',
      ),
    })
    .map((parts) => {
      let index = 0;
      const path = operation.template.replace(/\{[^}]+\}/g, () => {
        const [text, raw] = parts.params[index++ % parts.params.length]!;
        return encodePart(text, raw) || 'x';
      });
      const query = parts.query
        .map(([name, value, raw]) => `${encodePart(name, raw)}=${encodePart(value, raw)}`)
        .join('&');
      const target = query ? `${path}?${query}` : path;
      const hasBody = operation.method !== 'GET';
      const headers: (readonly [string, Buffer | string])[] = [
        ['host', '127.0.0.1'],
        ...parts.auth,
        ...parts.extraHeaders,
      ];
      if (hasBody && parts.contentType) headers.push(['content-type', parts.contentType]);
      return rawRequest({
        method: operation.method,
        target,
        headers,
        ...(hasBody ? { body: parts.body } : {}),
      });
    });
}

function describeAnswer(answer: RawAnswer): string {
  return `${answer.status} ${answer.headers['content-type'] ?? ''} ${answer.body.subarray(0, 300).toString()}`;
}

/** Only 2xx, 3xx or 4xx; every 4xx a problem document. */
function expectWellFormed(answer: RawAnswer, request: Buffer): void {
  const context = `${request.subarray(0, 300).toString()}\n→ ${describeAnswer(answer)}`;
  expect(answer.status, context).not.toBeNull();
  expect(answer.status!, context).toBeLessThan(500);
  if (answer.status! >= 400) {
    expect(answer.headers['content-type'] ?? '', context).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(answer.body.toString()) as { type?: unknown; status?: unknown };
    expect(typeof problem.type, context).toBe('string');
    expect(problem.status, context).toBe(answer.status);
  }
}

describe('API fuzz: hostile requests to every documented operation', () => {
  let server: TestServer;
  let port: number;
  let operations: Operation[];

  beforeAll(async () => {
    server = await startTestServer({ env: { CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    port = Number(new URL(server.apiUrl).port);
    const document = await call<OpenApiDocument>(server.apiUrl, 'GET', '/openapi.json');
    operations = operationsOf(document.body);
    expect(operations.length).toBeGreaterThan(20);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers each with a well-formed 2xx–4xx, never a 5xx, a crash or a hang', async () => {
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const operation of operations) {
      await assertProperty(
        fc.asyncProperty(hostileRequest(operation, server.adminKey), async (request) => {
          expectWellFormed(await sendRaw(port, request, { headersOnly: operation.streams }), request);
        }),
        RUNS_PER_ROUTE,
      );
    }
    // The server is still whole afterwards.
    expect((await call(server.apiUrl, 'GET', '/healthz')).status).toBe(200);
    globalThis.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    console.info(
      `[fuzz] ${operations.length} operations × ${RUNS_PER_ROUTE} runs; heap ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`,
    );
  });

  it('refuses a 10 MB body with 413 and stays up', async () => {
    const request = rawRequest({
      method: 'POST',
      target: '/v1/links',
      headers: [
        ['host', '127.0.0.1'],
        ['authorization', `Bearer ${server.adminKey}`],
        ['content-type', 'application/json'],
      ],
      body: Buffer.alloc(10 * 1024 * 1024, 'a'),
    });
    const answer = await sendRaw(port, request);
    expect(answer.status).toBe(413);
    expectWellFormed(answer, request);
    expect((await call(server.apiUrl, 'GET', '/healthz')).status).toBe(200);
  });

  it('keeps memory flat over repeated hostile rounds', async () => {
    const sample = operations.filter((operation) => operation.method === 'POST').slice(0, 5);
    const round = async () => {
      for (const operation of sample) {
        await assertProperty(
          fc.asyncProperty(hostileRequest(operation, server.adminKey), async (request) => {
            await sendRaw(port, request, { headersOnly: operation.streams });
          }),
          20,
        );
      }
      globalThis.gc?.();
      return process.memoryUsage().heapUsed;
    };
    await round();
    const first = await round();
    let last = first;
    for (let i = 0; i < 3; i++) last = await round();
    // Retained memory may wobble with caches filling up; it must not grow round after round.
    expect(last, `heap ${first} → ${last}`).toBeLessThan(first * 1.5 + 16 * 1024 * 1024);
  });
});
