import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ProblemSchema, Timestamp } from '../../src/api/schemas/common.js';
import { buildValidator } from '../../src/api/validation.js';

/**
 * The validator compiler the API app installs, on its own (the black-box suites cover it through
 * HTTP): bodies are not coerced, text parts are, and both see the shared schemas and formats.
 */

const compile = buildValidator({ Problem: ProblemSchema });
const QUERY_AND_PARAMS = ['querystring', 'params', 'headers'] as const;

describe('request validation', () => {
  it('never coerces body types', () => {
    const validate = compile({
      httpPart: 'body',
      schema: Type.Object({ n: Type.Integer(), s: Type.String(), b: Type.Boolean() }),
    });
    for (const body of [
      { n: '301', s: 'x', b: true },
      { n: 1, s: 4711, b: true },
      { n: 1, s: ['x'], b: true },
    ]) {
      expect(validate(body), JSON.stringify(body)).toBe(false);
    }
    const withNull = { n: 1, s: 'x', b: null };
    expect(validate(withNull)).toBe(false);
    expect(withNull.b).toBeNull();
  });

  it.each(QUERY_AND_PARAMS)('coerces %s, which arrive as text', (httpPart) => {
    const validate = compile({
      httpPart,
      schema: Type.Object({ limit: Type.Integer(), tags: Type.Array(Type.String()) }),
    });
    const data: Record<string, unknown> = { limit: '10', tags: 'one' };
    expect(validate(data)).toBe(true);
    expect(data).toEqual({ limit: 10, tags: ['one'] });
  });

  it.each(['body', ...QUERY_AND_PARAMS])(
    '%s: keeps unknown fields for the schema to refuse, fills defaults',
    (httpPart) => {
      const open = compile({
        httpPart,
        schema: Type.Object({ a: Type.Optional(Type.Integer({ default: 5 })) }),
      });
      const data: Record<string, unknown> = { x: 1 };
      expect(open(data)).toBe(true);
      expect(data).toEqual({ x: 1, a: 5 });
      const closed = compile({ httpPart, schema: Type.Object({}, { additionalProperties: false }) });
      expect(closed({ x: 1 })).toBe(false);
    },
  );

  it.each(['body', ...QUERY_AND_PARAMS])(
    '%s: knows date-time and resolves the shared Problem schema',
    (httpPart) => {
      const time = compile({ httpPart, schema: Type.Object({ at: Timestamp }) });
      expect(time({ at: '2026-01-01T00:00:00.000Z' })).toBe(true);
      expect(time({ at: 'tomorrow' })).toBe(false);
      const problem = compile({ httpPart, schema: Type.Object({ p: Type.Ref('Problem') }) });
      const valid = { type: 't', title: 't', status: 400, code: 'CW_ERR_VALIDATION', request_id: 'req_1' };
      expect(problem({ p: valid })).toBe(true);
      expect(problem({ p: { ...valid, status: 'four hundred' } })).toBe(false);
    },
  );

  it('stops at the first error', () => {
    const validate = compile({
      httpPart: 'body',
      schema: Type.Object({ a: Type.String(), b: Type.String() }),
    });
    expect(validate({ a: 1, b: 2 })).toBe(false);
    expect(validate.errors).toHaveLength(1);
  });
});
