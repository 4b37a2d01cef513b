import { Agent, request } from 'undici';

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  readonly key?: string | null;
  readonly body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

/** Calls the API like a client would; parses JSON answers (problem+json included). */
export async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await request(`${baseUrl}${path}`, {
    method: method as 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.body.text();
  const type = String(response.headers['content-type'] ?? '');
  const parsed = type.includes('json') && text !== '' ? (JSON.parse(text) as T) : (text as T);
  return { status: response.statusCode, headers: response.headers, body: parsed, text };
}

/** A client bound to one server and key. */
export function apiClient(baseUrl: string, key: string | null) {
  return <T = unknown>(
    method: string,
    path: string,
    options: Omit<CallOptions, 'key'> & { key?: string | null } = {},
  ) => call<T>(baseUrl, method, path, { key, ...options });
}

/** GET on the edge without following redirects. */
export async function click(
  edgeUrl: string,
  path: string,
  options: { method?: 'GET' | 'HEAD'; headers?: Record<string, string>; from?: string } = {},
): Promise<{
  status: number;
  location: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}> {
  const response = await request(`${edgeUrl}${path}`, {
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.from ? { dispatcher: agentFrom(options.from) } : {}),
  });
  const text = await response.body.text();
  const location = response.headers.location;
  return {
    status: response.statusCode,
    location: Array.isArray(location) ? location[0] : location,
    headers: response.headers,
    text,
  };
}

const agents = new Map<string, Agent>();

/** A client that connects from a chosen loopback address (any of 127.0.0.0/8), to tell clients apart. */
export function agentFrom(localAddress: string): Agent {
  let agent = agents.get(localAddress);
  if (!agent) {
    agent = new Agent({ connect: { localAddress } });
    agents.set(localAddress, agent);
  }
  return agent;
}
