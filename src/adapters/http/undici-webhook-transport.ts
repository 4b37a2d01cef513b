import { Agent, type Dispatcher } from 'undici';
import type { ErrorCategory } from '../../webhooks/delivery.js';
import type { OutgoingRequest, TransportResult, WebhookTransport } from '../../webhooks/webhook-transport.js';
import { guardedConnector, type ResolveAll } from './guarded-connector.js';

export interface UndiciWebhookTransportOptions {
  /** Skip the SSRF guard (`CLICKWIRE_WEBHOOK_ALLOW_PRIVATE`): development and tests only. */
  readonly allowPrivateAddresses: boolean;
  /** Most bytes of an answer read (enough for a batch's list of failed event ids); the rest is dropped. */
  readonly maxResponseBytes: number;
  /** Longest wait for a connection (TCP and TLS), ms; 10 s by default. */
  readonly connectTimeoutMs?: number;
  /** Name resolution for the guard; the system resolver by default. */
  readonly resolveAll?: ResolveAll;
}

/** A deadline overrun noticed while reading the body. */
class DeadlineError extends Error {
  readonly code = 'UND_ERR_BODY_TIMEOUT';
}

/**
 * The subscriber-facing HTTP client on undici's `Agent` (one keep-alive pool per origin; `fetch`
 * costs 6–7× more CPU per request, DESIGN §8). undici never follows redirects unless told to, so
 * a 3xx comes back as an answer like any other.
 *
 * The timeout is enforced without a timer per request (a timer and an AbortController cost about
 * as much as the rest of the client's work): connect, headers and each body chunk have undici's
 * own timeouts, the body read stops once the deadline has passed, and an answer that completes
 * after the deadline counts as a timeout all the same — success is a 2xx *within* the timeout.
 */
export class UndiciWebhookTransport implements WebhookTransport {
  private readonly agent: Agent;
  private readonly targets = new Map<string, { origin: string; path: string }>();

  constructor(private readonly options: UndiciWebhookTransportOptions) {
    const connectTimeout = options.connectTimeoutMs ?? 10_000;
    this.agent = new Agent({
      keepAliveTimeout: 4_000,
      connect: options.allowPrivateAddresses
        ? { timeout: connectTimeout }
        : guardedConnector(options.resolveAll, connectTimeout),
    });
  }

  async post(outgoing: OutgoingRequest): Promise<TransportResult> {
    const started = performance.now();
    const deadline = started + outgoing.timeoutMs;
    const timedOut = (): TransportResult => ({
      kind: 'error',
      category: 'timeout',
      detail: `no complete answer within ${outgoing.timeoutMs} ms`,
      durationMs: elapsed(started),
    });
    try {
      const { origin, path } = this.target(outgoing.url);
      const answer = await exchange(
        this.agent,
        {
          origin,
          path,
          method: 'POST',
          headers: outgoing.headers,
          body: outgoing.body,
          headersTimeout: outgoing.timeoutMs,
          bodyTimeout: outgoing.timeoutMs,
        },
        this.options.maxResponseBytes,
        deadline,
      );
      if (performance.now() > deadline) return timedOut();
      return {
        kind: 'response',
        statusCode: answer.statusCode,
        retryAfter: answer.retryAfter,
        body: answer.body,
        durationMs: elapsed(started),
      };
    } catch (error) {
      if (categoryOf(error) === 'timeout' || performance.now() > deadline) return timedOut();
      return {
        kind: 'error',
        category: categoryOf(error),
        detail: detailOf(error),
        durationMs: elapsed(started),
      };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Origin and path of a URL, parsed once per URL. */
  private target(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      if (this.targets.size >= 10_000) this.targets.clear();
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      this.targets.set(url, target);
    }
    return target;
  }
}

/** What `exchange` brings back: the status, the first `retry-after` value and the body read so far. */
interface Answer {
  readonly statusCode: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/**
 * One request through undici's handler interface: the status, `retry-after` and up to `max` bytes
 * of the body, the rest dropped (the connection is closed then, as undici does when a body is
 * abandoned). It gives up once `deadline` has passed while the body comes in. Rather than
 * `request()`, whose body stream, async resource and promise wrappers cost about a third of the
 * client's CPU per delivery (measured).
 */
function exchange(
  agent: Agent,
  options: Dispatcher.DispatchOptions,
  max: number,
  deadline: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let abort: ((reason?: Error) => void) | null = null;
    let statusCode = 0;
    let retryAfter: string | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve({ statusCode, retryAfter, body: Buffer.concat(chunks).subarray(0, max).toString('utf8') });
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    agent.dispatch(options, {
      onConnect(abortRequest) {
        abort = abortRequest;
      },
      onHeaders(status, rawHeaders) {
        statusCode = status;
        for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
          const name = rawHeaders[i]!;
          if (
            retryAfter === undefined &&
            name.length === 11 &&
            name.toString('latin1').toLowerCase() === 'retry-after'
          )
            retryAfter = rawHeaders[i + 1]!.toString('latin1');
        }
        return true;
      },
      onData(chunk) {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= max) {
          finish();
          abort?.();
          return false;
        }
        if (performance.now() > deadline) {
          const error = new DeadlineError('the answer took longer than the timeout');
          fail(error);
          abort?.(error);
          return false;
        }
        return true;
      },
      onComplete() {
        finish();
      },
      onError(error) {
        fail(error);
      },
    });
  });
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
]);

/** The category of a failed exchange, from the error codes along its cause chain. */
export function categoryOf(error: unknown): ErrorCategory {
  for (const code of codesOf(error)) {
    if (code === 'CW_SSRF_BLOCKED') return 'ssrf_blocked';
    if (DNS_CODES.has(code)) return 'dns';
    if (REFUSED_CODES.has(code)) return 'connection_refused';
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) return 'tls';
  }
  // Reset or closed mid-exchange, a malformed answer, an answer too large: the endpoint misbehaved.
  return 'invalid_response';
}

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

function detailOf(error: unknown): string {
  const code = codesOf(error)[0];
  const message = error instanceof Error ? error.message : String(error);
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, 300);
}
