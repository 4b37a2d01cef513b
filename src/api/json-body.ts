import type { FastifyInstance } from 'fastify';
import { ClickwireError } from '../kernel/errors.js';

/**
 * The `application/json` body parser: Fastify's own (secure-json-parse, refusing `__proto__` and
 * `constructor.prototype` keys), with one difference in what the caller hears. Fastify reports a body
 * refused for such a key as `FST_ERR_CTP_INVALID_JSON_BODY`, the same as text that is not JSON, so the
 * client would be told its valid JSON is "not valid JSON". Here such a body is a 400 validation
 * problem that names the key and says it is not allowed.
 */
export function useJsonBodyParser(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // The default parser is the callback form; it never returns a promise.
    void secureParse(request, text, (error, parsed) => {
      const forbidden = error ? forbiddenKeyIn(text) : null;
      if (forbidden) done(forbiddenKeyError(forbidden), undefined);
      else done(error, parsed);
    });
  });
}

/** Whether JSON text that the secure parser refused parses plainly, and if so, where the forbidden key is. */
function forbiddenKeyIn(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null; // Not JSON at all: the parser's own error stands.
  }
  // Breadth-first without recursion: a deeply nested body must not overflow the stack.
  const queue: { value: unknown; path: string }[] = [{ value, path: 'body' }];
  for (let i = 0; i < queue.length; i++) {
    const { value: node, path } = queue[i]!;
    if (typeof node !== 'object' || node === null) continue;
    for (const [key, child] of Object.entries(node)) {
      const childPath = `${path}/${pointerToken(key)}`;
      if (key === '__proto__') return childPath;
      if (key === 'constructor' && isObject(child) && Object.hasOwn(child, 'prototype')) {
        return `${childPath}/prototype`;
      }
      queue.push({ value: child, path: childPath });
    }
  }
  return 'body';
}

function forbiddenKeyError(field: string): ClickwireError {
  const message = 'is not allowed: keys that could change object prototypes are refused';
  return new ClickwireError('CW_ERR_VALIDATION', `${field} ${message}`, [{ field, message }]);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** RFC 6901 escaping of one path segment, as Ajv writes the fields of schema errors. */
function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
