import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/tenancy/scopes.js';
import { type ApiAnswer, apiClient, call } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Tenant isolation and scopes for every operation of the OpenAPI document, so a route added
 * tomorrow is checked without anyone remembering to: workspace B's admin key, pointed at workspace
 * A's ids and lists, never gets A's data; a key lacking the operation's scope gets 403.
 */

interface Operation {
  readonly method: string;
  readonly template: string;
  /** The scope the document says the operation needs; `operator` for operator-only; null if public. */
  readonly scope: string | null;
}

type OpenApiDocument = {
  paths: Record<string, Record<string, { security?: { bearerAuth?: string[] }[] }>>;
};

function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
      const requirement = operation.security?.[0]?.bearerAuth;
      operations.push({
        method: method.toUpperCase(),
        template,
        scope: requirement === undefined ? null : (requirement[0] ?? ''),
      });
    }
  }
  return operations;
}

/** Workspace A's ids, by what each path parameter names. */
type Ids = Record<string, string>;

/** The id of A a path parameter stands for: by its name, or by the collection it follows. */
function idFor(template: string, parameter: string, ids: Ids): string {
  if (ids[parameter]) return ids[parameter];
  const collection = template.slice(0, template.indexOf(`{${parameter}}`));
  for (const [prefix, id] of Object.entries(ids)) if (collection.endsWith(`${prefix}/`)) return id;
  throw new Error(
    `isolation test: no id of workspace A for {${parameter}} in ${template}; add one to the seed`,
  );
}

function fill(template: string, ids: Ids): string {
  return template.replace(/\{([^}]+)\}/g, (_, parameter: string) => idFor(template, parameter, ids));
}

/** A body that passes validation where one is easy to give, so the handler's own lookup runs. */
function bodyFor(operation: Operation): unknown {
  if (operation.method === 'GET' || operation.method === 'DELETE') return undefined;
  if (operation.template.endsWith('/rotate-secret')) return { grace_period_seconds: 0 };
  if (operation.template === '/v1/links/{link_id}') return { disabled: true };
  if (operation.template.startsWith('/v1/webhook-subscriptions/{')) return {};
  return {};
}

/** An event stream never ends by itself: read what it sends in its first moments, then hang up. */
async function streamBriefly(url: string, key: string): Promise<ApiAnswer> {
  const response = await request(url, {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(1_500),
  });
  let text = '';
  try {
    for await (const chunk of response.body) text += chunk.toString();
  } catch {
    // aborted: what arrived so far is what B could see
  }
  return { status: response.statusCode, headers: response.headers, body: text, text };
}

describe('isolation and scopes, for every documented operation', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let operations: Operation[];
  let ids: Ids;
  let keyOfB: string;
  const aData = new Set<string>();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    server = await startTestServer({ env: { CLICKWIRE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    const a = apiClient(server.apiUrl, server.adminKey);
    const document = await call<OpenApiDocument>(server.apiUrl, 'GET', '/openapi.json');
    operations = operationsOf(document.body);

    const workspaceB = await a<{ api_key: { key: string } }>('POST', '/v1/workspaces', {
      body: { name: 'Workspace B' },
    });
    expect(workspaceB.status, workspaceB.text).toBe(201);
    keyOfB = workspaceB.body.api_key.key;

    // Something of A behind every kind of id the API has.
    const link = await a<{ link_id: string }>('POST', '/v1/links', {
      body: { destination_url: 'https://example.com/a', alias: 'isolated', tags: ['a-tag'] },
    });
    const domain = await a<{ domain_id: string }>('POST', '/v1/domains', { body: { hostname: 'a.example' } });
    const key = await a<{ key_id: string }>('POST', '/v1/api-keys', {
      body: { name: 'reader', scopes: ['links:read'] },
    });
    const subscription = await a<{ subscription_id: string }>('POST', '/v1/webhook-subscriptions', {
      body: { url: receiver.url('/a'), event_types: ['click.*'] },
    });
    const test = await a<{ delivery_id: string }>(
      'POST',
      `/v1/webhook-subscriptions/${subscription.body.subscription_id}/test`,
      { body: {} },
    );
    const simulated = await a<{ click_id: string }>('POST', '/v1/clicks/simulate', {
      body: { link_id: link.body.link_id },
    });
    expect([link, domain, key, subscription, test, simulated].map((answer) => answer.status)).toEqual([
      201, 201, 201, 201, 200, 202,
    ]);
    // The simulated click and its event, once processed.
    let eventId: string | undefined;
    for (let i = 0; i < 200 && !eventId; i++) {
      const events = await a<{ data: { event_id: string; type: string }[] }>(
        'GET',
        '/v1/events?type=click.created',
      );
      eventId = events.body.data[0]?.event_id;
      if (!eventId) await sleep(25);
    }
    expect(eventId).toBeDefined();
    const erasure = await a<{ request_id?: string; erasure_request_id?: string }>(
      'POST',
      '/v1/privacy/erasure-requests',
      { body: { link_id: link.body.link_id } },
    );

    ids = {
      link_id: link.body.link_id,
      domain_id: domain.body.domain_id,
      key_id: key.body.key_id,
      click_id: simulated.body.click_id,
      event_id: eventId!,
      subscription_id: subscription.body.subscription_id,
      delivery_id: test.body.delivery_id,
      '/v1/webhook-subscriptions': subscription.body.subscription_id,
      '/v1/webhook-deliveries': test.body.delivery_id,
    };
    const erasureId = erasure.body.erasure_request_id ?? erasure.body.request_id;
    if (erasureId) {
      ids.erasure_request_id = erasureId;
      ids['/v1/privacy/erasure-requests'] = erasureId;
    }
    for (const [name, id] of Object.entries(ids)) if (!name.startsWith('/')) aData.add(id);
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  function leaked(answer: ApiAnswer, sentPath: string): string[] {
    // An id the caller sent in the path may be echoed in a 404's detail; any other id of A is a leak.
    return [...aData].filter((id) => answer.text.includes(id) && !sentPath.includes(id));
  }

  it('documents an access rule for every operation', () => {
    expect(operations.length).toBeGreaterThan(30);
    // Every authenticated operation needs a scope or the operator key: none is open to any key.
    const undocumented = operations.filter((operation) => operation.scope === '');
    expect(undocumented.map((operation) => `${operation.method} ${operation.template}`)).toEqual([]);
  });

  it("never gives workspace B workspace A's data", async () => {
    const failures: string[] = [];
    const b = apiClient(server.apiUrl, keyOfB);
    for (const operation of operations) {
      if (operation.scope === null) continue;
      const path = fill(operation.template, ids);
      const body = bodyFor(operation);
      const answer = operation.template.includes('/stream/')
        ? await streamBriefly(`${server.apiUrl}${path}`, keyOfB)
        : await b(operation.method, path, body === undefined ? {} : { body });
      const label = `${operation.method} ${operation.template} → ${answer.status}`;
      const leaks = leaked(answer, path);
      if (leaks.length > 0) failures.push(`${label}: leaked ${leaks.join(', ')}`);
      // An operation on one of A's ids must not find it (404, not 403: B must not learn it exists).
      if (path !== operation.template && answer.status < 400) failures.push(`${label}: succeeded on A's id`);
      if (path !== operation.template && answer.status === 403) failures.push(`${label}: 403 reveals A's id`);
      if (answer.status >= 500) failures.push(`${label}: ${answer.text}`);
    }
    expect(failures).toEqual([]);

    // And nothing of A changed: its link is still there and enabled.
    const a = apiClient(server.apiUrl, server.adminKey);
    const link = await a<{ disabled: boolean }>('GET', `/v1/links/${ids.link_id}`);
    expect(link.status).toBe(200);
    expect(link.body.disabled).toBe(false);
  });

  it("refuses a key without the operation's scope with 403", async () => {
    const a = apiClient(server.apiUrl, server.adminKey);
    const failures: string[] = [];
    const keys = new Map<string, string>();
    const keyLacking = async (scope: string): Promise<string> => {
      let secret = keys.get(scope);
      if (!secret) {
        // Every scope but the one needed; without `admin`, which includes them all.
        const scopes = SCOPES.filter((s) => s !== scope && s !== 'admin');
        const created = await a<{ key: string }>('POST', '/v1/api-keys', {
          body: { name: `no ${scope}`, scopes },
        });
        expect(created.status, created.text).toBe(201);
        secret = created.body.key;
        keys.set(scope, secret);
      }
      return secret;
    };
    for (const operation of operations) {
      if (!operation.scope) continue;
      const key = await keyLacking(operation.scope === 'operator' ? 'admin' : operation.scope);
      const path = fill(operation.template, ids);
      const body = bodyFor(operation);
      const answer = await call(server.apiUrl, operation.method, path, {
        key,
        ...(body === undefined ? {} : { body }),
      });
      if (answer.status !== 403)
        failures.push(`${operation.method} ${operation.template} → ${answer.status}`);
    }
    expect(failures).toEqual([]);
  });
});
