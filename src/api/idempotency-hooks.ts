import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { requestFingerprint } from '../idempotency/request-fingerprint.js';
import type { Clock } from '../kernel/clock.js';
import { ClickwireError } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';

/** How long a key's record (and its answer) is kept, per workspace. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/**
 * How long a claim of a key lasts before its request has answered. Far longer than any request
 * takes (the slowest, a webhook test send, is bounded by the 30 s delivery timeout), and short
 * enough that a key held by a process that crashed mid-request is free again within a minute
 * instead of answering 409 for a day.
 */
export const IDEMPOTENCY_IN_FLIGHT_LEASE_MS = 60_000;
/** How often expired records are deleted. */
export const IDEMPOTENCY_PURGE_INTERVAL_MS = 10 * 60_000;
/** Set on an answer replayed from an earlier request with the same key. */
export const REPLAYED_HEADER = 'Idempotency-Replayed';

const MUTATING = new Set(['POST', 'PATCH', 'DELETE']);
/** Longest `Idempotency-Key` accepted. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** Visible ASCII, 1–255 characters: room for a UUID, a ULID or a client's own scheme. */
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** Headers of a stored answer that are replayed with it; the rest (rate limits, request ids) are fresh. */
const KEPT_HEADERS = ['content-type', 'location'] as const;

interface HeldKey {
  readonly workspaceId: string;
  readonly key: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The `Idempotency-Key` this request holds, until its answer is stored or the key released. */
    idempotencyHold: HeldKey | null;
  }
}

/**
 * `Idempotency-Key` on every POST, PATCH and DELETE. After authentication and validation (so a
 * malformed request is answered, not remembered), the key is claimed in the workspace:
 *
 * - free: the request runs, and its answer is stored as it is sent — before the client can see
 *   it, so a retry after the answer always finds it; an answer of 5xx releases the key instead,
 *   since nothing is known to have happened and the client should be able to retry;
 * - taken by a finished request with the same method, route and body: that answer is replayed
 *   (status, body, `Content-Type`, `Location`) with `Idempotency-Replayed: true`;
 * - taken by a request with anything different: 422 `idempotency-key-reused`;
 * - taken by a request with the same body still running: 409 `idempotency-in-progress`.
 */
export function useIdempotencyKeys(
  app: FastifyInstance,
  deps: { readonly store: IdempotencyStore; readonly clock: Clock; readonly logger: Logger },
): void {
  const { store, clock, logger } = deps;
  app.decorateRequest('idempotencyHold', null);

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!MUTATING.has(request.method) || request.principal === null) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !KEY_FORMAT.test(header)) {
      const message = 'must be 1 to 255 visible ASCII characters, sent once';
      throw new ClickwireError('CW_ERR_VALIDATION', `headers/idempotency-key ${message}`, [
        { field: 'headers/idempotency-key', message },
      ]);
    }
    const { workspaceId } = request.principal;
    const now = clock.now();
    const fingerprint = requestFingerprint({
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      params: request.params,
      body: request.body,
    });
    const claim = await store.begin(workspaceId, header, {
      fingerprint,
      now,
      expiresAt: now + IDEMPOTENCY_IN_FLIGHT_LEASE_MS,
    });
    if (claim.kind === 'claimed') {
      request.idempotencyHold = { workspaceId, key: header };
      return;
    }
    if (claim.fingerprint !== fingerprint) {
      throw new ClickwireError(
        'CW_ERR_IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was first sent with another method, path or body; use a new key for a new request',
      );
    }
    if (claim.kind === 'in_flight') {
      reply.header('Retry-After', '1');
      throw new ClickwireError(
        'CW_ERR_IDEMPOTENCY_IN_PROGRESS',
        'The first request with this Idempotency-Key has not finished; retry shortly to get its answer',
      );
    }
    const { response } = claim;
    for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
    return reply.code(response.statusCode).header(REPLAYED_HEADER, 'true').send(response.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    // `?? null`: routes of plugins registered before this (the docs) see the request without the decoration.
    const hold = request.idempotencyHold ?? null;
    if (hold === null) return payload;
    request.idempotencyHold = null;
    const storable = typeof payload === 'string' || Buffer.isBuffer(payload) || payload == null;
    if (reply.statusCode >= 500 || !storable) {
      await store.release(hold.workspaceId, hold.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const body = payload == null ? '' : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
    await store.complete(
      hold.workspaceId,
      hold.key,
      { statusCode: reply.statusCode, headers, body },
      clock.now() + IDEMPOTENCY_TTL_MS,
    );
    return payload;
  });

  // An answer that never went through onSend (the connection died first) stored nothing: free the key.
  app.addHook('onResponse', async (request) => {
    const hold = request.idempotencyHold ?? null;
    if (hold === null) return;
    request.idempotencyHold = null;
    await store.release(hold.workspaceId, hold.key);
  });

  const purge = () =>
    store
      .purgeExpired(clock.now())
      .catch((error: unknown) => logger.warn({ err: error }, 'could not purge expired idempotency keys'));
  const timer = setInterval(purge, IDEMPOTENCY_PURGE_INTERVAL_MS);
  timer.unref();
  app.addHook('onReady', async () => {
    await purge();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
