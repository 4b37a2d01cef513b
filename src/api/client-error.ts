import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { ClickwireError, type ErrorCode } from '../kernel/errors.js';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem.js';

/**
 * Answers what Node's HTTP parser refuses before any route sees it — bytes that are not HTTP,
 * headers over the size limit, a request that never finishes arriving — with the same problem
 * document every other error gets, instead of Fastify's default plain JSON. The connection is
 * closed afterwards: after a parse error nothing more on it can be trusted.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const problem = problemOf(
      new ClickwireError(clientErrorCode(error.code)),
      `req_${randomBytes(8).toString('hex')}`,
    );
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${http.STATUS_CODES[problem.status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function clientErrorCode(nodeCode: string | undefined): ErrorCode {
  if (nodeCode === 'HPE_HEADER_OVERFLOW') return 'CW_ERR_HEADERS_TOO_LARGE';
  if (nodeCode === 'ERR_HTTP_REQUEST_TIMEOUT') return 'CW_ERR_REQUEST_TIMEOUT';
  return 'CW_ERR_MALFORMED_REQUEST';
}
