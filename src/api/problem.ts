import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClickwireError, type ErrorCode, type FieldError } from '../kernel/errors.js';
import { BEARER_CHALLENGE } from './authentication.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 body. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: ErrorCode;
  readonly request_id: string;
  readonly errors?: readonly FieldError[];
}

export function problemOf(error: ClickwireError, requestId: string): Problem {
  return {
    type: error.type,
    title: error.title,
    status: error.status,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    code: error.code,
    request_id: requestId,
    ...(error.fieldErrors.length === 0 ? {} : { errors: error.fieldErrors }),
  };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: ClickwireError,
): FastifyReply {
  // Every 401 carries a challenge (RFC 9110 §15.5.2); the authentication hook sets a more precise one.
  if (error.status === 401 && !reply.hasHeader('WWW-Authenticate')) {
    reply.header('WWW-Authenticate', BEARER_CHALLENGE);
  }
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(problemOf(error, request.id));
}

export function problem(
  code: ErrorCode,
  detail?: string,
  fields: readonly FieldError[] = [],
): ClickwireError {
  return new ClickwireError(code, detail, fields);
}
