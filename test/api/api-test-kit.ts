import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { STORE_FILE } from '../../src/adapters/sqlite/embedded-backend.js';
import { type ApiAnswer, apiClient } from '../support/api-client.js';
import type { TestServer } from '../support/test-server.js';

/** Shared by the black-box API suites in this folder: problem checks, fixtures made through the API. */

export type Api = ReturnType<typeof apiClient>;

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: string;
  readonly request_id: string;
  readonly errors?: readonly { field: string; message: string }[];
}

export interface LinkBody {
  readonly link_id: string;
  readonly workspace_id: string;
  readonly alias: string;
  readonly domain_id: string | null;
  readonly short_url: string;
  readonly destination_url: string;
  readonly redirect_type: number;
  readonly campaign_id: string | null;
  readonly channel: string | null;
  readonly tags: string[];
  readonly expires_at: string | null;
  readonly disabled: boolean;
  readonly forward_query: boolean;
  readonly fallback_url: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface ApiKeyBody {
  readonly key_id: string;
  readonly workspace_id: string;
  readonly name: string;
  readonly scopes: string[];
  readonly key_hint: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
  readonly key?: string;
}

export interface DomainBody {
  readonly domain_id: string;
  readonly workspace_id: string;
  readonly hostname: string;
  readonly created_at: string;
}

export interface Page<T> {
  readonly data: T[];
  readonly next_cursor: string | null;
  readonly has_more: boolean;
}

export const PROBLEM_BASE = 'https://clickwire.dev/problems/';

/** Well-formed ids that were never issued (ULID timestamps in 2020). */
export const UNKNOWN_IDS = {
  link: 'lnk_01E0000000000000000000000A',
  apiKey: 'key_01E0000000000000000000000A',
  domain: 'dom_01E0000000000000000000000A',
} as const;

/** Ids that match the route pattern but can never be a real ULID (the timestamp overflows 48 bits). */
export const IMPOSSIBLE_IDS = {
  link: 'lnk_ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
  apiKey: 'key_ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
  domain: 'dom_ZZZZZZZZZZZZZZZZZZZZZZZZZZ',
} as const;

export const ID_FORMAT = {
  link: /^lnk_[0-9A-HJKMNP-TV-Z]{26}$/,
  apiKey: /^key_[0-9A-HJKMNP-TV-Z]{26}$/,
  domain: /^dom_[0-9A-HJKMNP-TV-Z]{26}$/,
  workspace: /^ws_[0-9A-HJKMNP-TV-Z]{26}$/,
} as const;

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** How every `errors[].field` is written: the request part, then a JSON pointer into it. */
export const FIELD_STYLE = /^(body|querystring|params|headers)(\/[^/]+)*$/;

/**
 * Asserts an RFC 9457 answer: the status, `application/problem+json`, the members every problem
 * carries, the catalogue code and its stable `type`, that each field error is named in the one
 * style (`body/destination_url`, `querystring/cursor`, `params/link_id`), and — when given — the
 * exact field it names.
 */
export function expectProblem(
  answer: ApiAnswer,
  status: number,
  code: string,
  slug: string,
  field?: string,
): ProblemBody {
  const label = `${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, label).toBe(status);
  expect(String(answer.headers['content-type']), label).toMatch(/^application\/problem\+json\b/);
  const problem = answer.body as ProblemBody;
  expect(typeof problem, label).toBe('object');
  expect(problem.type, label).toBe(`${PROBLEM_BASE}${slug}`);
  expect(typeof problem.title, label).toBe('string');
  expect(problem.title.length, label).toBeGreaterThan(0);
  expect(problem.status, label).toBe(status);
  expect(problem.code, label).toBe(code);
  expect(problem.request_id, label).toMatch(/^req_[0-9a-f]{16}$/);
  const fields = (problem.errors ?? []).map((error) => error.field);
  for (const name of fields) expect(name, label).toMatch(FIELD_STYLE);
  if (field !== undefined) {
    expect(problem.errors, label).toBeDefined();
    expect(fields, `${label}: expected a field error naming "${field}"`).toContain(field);
  }
  return problem;
}

export const expectValidation = (answer: ApiAnswer, field?: string) =>
  expectProblem(answer, 400, 'CW_ERR_VALIDATION', 'validation-failed', field);
export const expectMalformedJson = (answer: ApiAnswer) =>
  expectProblem(answer, 400, 'CW_ERR_MALFORMED_JSON', 'malformed-json');
/** RFC 6750 challenges of a 401: without a bearer key, and for a bearer key that is not valid. */
export const BEARER_CHALLENGE = 'Bearer realm="clickwire"';
export const INVALID_TOKEN_CHALLENGE = 'Bearer realm="clickwire", error="invalid_token"';

/** A 401 problem with a Bearer challenge; `challenge` (when given) is the exact `WWW-Authenticate`. */
export const expectUnauthenticated = (answer: ApiAnswer, challenge?: string) => {
  const problem = expectProblem(answer, 401, 'CW_ERR_UNAUTHENTICATED', 'unauthenticated');
  const header = answer.headers['www-authenticate'];
  if (challenge === undefined) expect(header).toMatch(/^Bearer realm="clickwire"(, error="invalid_token")?$/);
  else expect(header).toBe(challenge);
  return problem;
};
export const expectForbidden = (answer: ApiAnswer) =>
  expectProblem(answer, 403, 'CW_ERR_INSUFFICIENT_SCOPE', 'insufficient-scope');
export const expectNotFound = (answer: ApiAnswer) =>
  expectProblem(answer, 404, 'CW_ERR_NOT_FOUND', 'not-found');

/** Authorization headers that must all be refused with 401 (besides "no header at all"). */
export const BAD_AUTHORIZATIONS: readonly [string, string][] = [
  ['a key that was never issued', 'Bearer cw_live_this_key_was_never_issued_0000000000'],
  ['a near miss of a real key', 'Bearer cw_live_test_bootstrap_key_0123456789abcdeF'],
  [
    'the Basic scheme',
    `Basic ${Buffer.from('user:cw_live_test_bootstrap_key_0123456789abcdef').toString('base64')}`,
  ],
  ['the key without a scheme', 'cw_live_test_bootstrap_key_0123456789abcdef'],
  ['Bearer without a key', 'Bearer'],
  ['Bearer followed by two tokens', 'Bearer cw_live_test_bootstrap_key_0123456789abcdef extra'],
  ['an empty header', ''],
];

/** Creates a key in the caller's workspace with the given scopes; returns the key and its id. */
export async function createKey(api: Api, scopes: string[], name = `key ${scopes.join(' ')}`) {
  const answer = await api<ApiKeyBody>('POST', '/v1/api-keys', { body: { name, scopes } });
  expect(answer.status, answer.text).toBe(201);
  return { key: answer.body.key!, keyId: answer.body.key_id };
}

/** A second workspace, made by the operator; returns its id and an API client with its admin key. */
export async function createWorkspace(server: TestServer, name = 'Other workspace') {
  const operator = apiClient(server.apiUrl, server.adminKey);
  const answer = await operator<{ workspace: { workspace_id: string }; api_key: { key: string } }>(
    'POST',
    '/v1/workspaces',
    { body: { name } },
  );
  expect(answer.status, answer.text).toBe(201);
  return {
    workspaceId: answer.body.workspace.workspace_id,
    key: answer.body.api_key.key,
    api: apiClient(server.apiUrl, answer.body.api_key.key),
  };
}

export async function createLink(api: Api, body: Record<string, unknown>): Promise<LinkBody> {
  const answer = await api<LinkBody>('POST', '/v1/links', { body });
  expect(answer.status, answer.text).toBe(201);
  return answer.body;
}

/** Opens the running server's store read-only (WAL lets us read while it writes). */
export function openStoreReadOnly(server: TestServer): Database.Database {
  return new Database(path.join(server.dataDir, STORE_FILE), { readonly: true, fileMustExist: true });
}

export interface StoredEventRow {
  readonly event_id: string;
  readonly workspace_id: string;
  readonly event_type: string;
  readonly payload: string;
}

/** The `link.*` events written for one link, oldest first. */
export function linkEvents(server: TestServer, linkId: string): StoredEventRow[] {
  const db = openStoreReadOnly(server);
  try {
    const rows = db
      .prepare('SELECT event_id, workspace_id, event_type, payload FROM events ORDER BY event_id')
      .all() as StoredEventRow[];
    return rows.filter((row) => {
      const payload = JSON.parse(row.payload) as { data?: { link?: { link_id?: string } } };
      return payload.data?.link?.link_id === linkId;
    });
  } finally {
    db.close();
  }
}
