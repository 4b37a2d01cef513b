import type { RouteOptions } from 'fastify';
import type { RouteAccess } from './authentication.js';

/** The pseudo-scope the OpenAPI document gives routes only the instance operator may call. */
export const OPERATOR_SCOPE = 'operator';

/**
 * Writes each route's access rule into its OpenAPI operation as `security`: none for public
 * routes, else the bearer scheme with the scope the key needs (`operator` for operator-only). The
 * document then says what every route demands, and tests generated from it (isolation, scopes)
 * check exactly what the authentication hook enforces — both read the same `config`.
 */
export function documentAccess(route: RouteOptions): void {
  if (!route.schema || (route.schema as { hide?: boolean }).hide) return;
  const access = (route.config ?? {}) as RouteAccess;
  const scopes = access.operator ? [OPERATOR_SCOPE] : access.scope ? [access.scope] : [];
  (route.schema as { security?: unknown }).security = access.public ? [] : [{ bearerAuth: scopes }];
}
