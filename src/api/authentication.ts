import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClickwireError } from '../kernel/errors.js';
import type { ApiKey } from '../tenancy/api-key.js';
import { hasScope, type Scope } from '../tenancy/scopes.js';
import type { TenancyService } from '../tenancy/tenancy-service.js';

/** Who is calling: resolved from the bearer key before anything else about the request is looked at. */
export interface Principal {
  readonly workspaceId: string;
  readonly key: ApiKey;
}

/** What a route asks of its caller, declared in the route's `config`. */
export interface RouteAccess {
  /** No key needed (health, docs). */
  readonly public?: boolean;
  /** Scope the key must have (`admin` always passes). */
  readonly scope?: Scope;
  /** Only the instance operator (the bootstrap key). */
  readonly operator?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig extends RouteAccess {}
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** RFC 6750 §3: the challenge of every 401; `invalid_token` when a bearer key was sent and is not valid. */
export const BEARER_CHALLENGE = 'Bearer realm="clickwire"';
export const INVALID_TOKEN_CHALLENGE = `${BEARER_CHALLENGE}, error="invalid_token"`;

/**
 * onRequest hook: runs before the body is read or validated, so a caller without a valid key
 * learns nothing but 401, and one without the scope nothing but 403.
 */
export function authenticationHook(tenancy: TenancyService) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const access = request.routeOptions.config as RouteAccess;
    if (access.public || request.routeOptions.url === undefined) return;
    const match = BEARER.exec(request.headers.authorization ?? '');
    const token = match?.[1];
    const key = token ? await tenancy.authenticate(token) : null;
    if (!key) {
      // RFC 6750 §3.1: no error code when no bearer key was sent; `invalid_token` for an unknown or revoked one.
      reply.header('WWW-Authenticate', token ? INVALID_TOKEN_CHALLENGE : BEARER_CHALLENGE);
      throw new ClickwireError(
        'CW_ERR_UNAUTHENTICATED',
        'Send a valid API key as "Authorization: Bearer cw_live_…"',
      );
    }
    if (access.operator && !key.isOperator) {
      throw new ClickwireError('CW_ERR_INSUFFICIENT_SCOPE', 'Only the instance operator key may do this');
    }
    if (access.scope && !hasScope(key.scopes, access.scope)) {
      throw new ClickwireError('CW_ERR_INSUFFICIENT_SCOPE', `This needs the "${access.scope}" scope`);
    }
    request.principal = { workspaceId: key.workspaceId, key };
  };
}

/** The caller of an authenticated route (the hook guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ClickwireError('CW_ERR_UNAUTHENTICATED');
  return request.principal;
}
